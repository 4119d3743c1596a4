"""API URL configuration: versioned endpoints under /api/v1/, schema and docs under /api/."""

from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from fbrain.core import api as core_api

# Django tries patterns in order: the knowledge base, by far the most requested, goes first.
v1_patterns: list[URLPattern | URLResolver] = [
    path("", include("fbrain.notes.urls")),
    path("status", core_api.StatusApi.as_view(), name="status"),
    path("", include("fbrain.accounts.urls")),
    path("", include("fbrain.bookmarks.urls")),
    path("", include("fbrain.transfer.urls")),
]

urlpatterns = [
    path("v1/", include((v1_patterns, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", core_api.ApiDocsView.as_view(url_name="schema"), name="swagger-ui"),
    # Anything else under /api/ is a JSON 404, never the HTML page.
    re_path(r"^.*$", core_api.not_found),
]
