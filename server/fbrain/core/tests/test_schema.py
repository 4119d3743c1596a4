"""The OpenAPI schema builds without warnings and documents the error shape."""

from drf_spectacular.generators import SchemaGenerator


def test_schema_documents_the_error_shape_and_token_auth():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "fields"}
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    status = schema["paths"]["/api/v1/status"]["get"]
    assert "200" in status["responses"]


def test_schema_endpoint_and_docs_page_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
