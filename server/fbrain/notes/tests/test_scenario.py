"""A client's session end to end, over real API tokens: what a new user of the API would do."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from fbrain.accounts.tests.factories import make_token
from fbrain.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(username, scheme="Token"):
    user = UserFactory.create(username=username)
    token, key = make_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    return client, token


def test_two_users_drive_the_api():
    ada, ada_token = client_for("ada")
    bob, _ = client_for("bob", scheme="Bearer")

    def post(client, **data):
        response = client.post("/api/v1/notes/", data, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    # Notes linking each other; a pending link resolves when its target appears.
    home = post(ada, title="Accueil", body="Voir [[Réunion d'été]] et [[Projets]] #perso")
    links = ada.get(f"/api/v1/notes/{home['id']}/links/").json()["results"]
    assert all(link["pending"] for link in links)
    meeting = post(ada, title="Réunion d'été", body="Budget validé, retour à [[Accueil]]. #travail/équipe")
    projects = post(ada, title="projets", body="Liste des projets en cours")
    links = ada.get(f"/api/v1/notes/{home['id']}/links/").json()["results"]
    assert {link["target"]["id"] for link in links} == {meeting["id"], projects["id"]}
    backlinks = ada.get(f"/api/v1/notes/{home['id']}/backlinks/").json()["results"]
    assert [b["source"]["id"] for b in backlinks] == [meeting["id"]]

    # Bob sees none of it, and Ada's ids are 404 for him.
    assert bob.get("/api/v1/notes/").json()["results"] == []
    assert bob.get(f"/api/v1/notes/{home['id']}/").status_code == 404
    assert bob.get("/api/v1/search/?q=budget").json()["count"] == 0
    post(bob, title="Accueil", body="Bob's own home")

    # Search: accents, phrases, prefixes, exclusions.
    def found(query):
        return {hit["note"]["title"] for hit in ada.get("/api/v1/search/", {"q": query}).json()["results"]}

    assert found("budg") == {"Réunion d'été"}
    assert found('"budget validé"') == {"Réunion d'été"}
    assert found("projets -cours") == {"Accueil"}
    if connection.vendor == "postgresql":
        assert found("reunion ete") == {"Réunion d'été", "Accueil"}

    # Two clients editing one note: the second stale write is refused, nothing is lost.
    first = ada.patch(f"/api/v1/notes/{meeting['id']}/", {"body": "Budget revu."}, format="json", HTTP_IF_MATCH='"1"')
    assert first.status_code == 200
    second = ada.patch(f"/api/v1/notes/{meeting['id']}/", {"body": "Écrase tout"}, format="json", HTTP_IF_MATCH='"1"')
    assert second.status_code == 412
    assert ada.get(f"/api/v1/notes/{meeting['id']}/").json()["body"] == "Budget revu."

    # Revisions: restore the first text.
    revisions = ada.get(f"/api/v1/notes/{meeting['id']}/revisions/").json()["results"]
    restored = ada.post(f"/api/v1/notes/{meeting['id']}/revisions/{revisions[0]['id']}/restore/", {}, format="json")
    assert restored.status_code == 200 and restored.json()["body"].startswith("Budget validé")

    # Trash and restore; the link goes pending and comes back.
    assert ada.delete(f"/api/v1/notes/{projects['id']}/").status_code == 204
    links = {link["target_title"]: link for link in ada.get(f"/api/v1/notes/{home['id']}/links/").json()["results"]}
    assert links["Projets"]["pending"]
    assert ada.post(f"/api/v1/trash/{projects['id']}/restore/").status_code == 200
    links = {link["target_title"]: link for link in ada.get(f"/api/v1/notes/{home['id']}/links/").json()["results"]}
    assert links["Projets"]["target"]["id"] == projects["id"]

    # Token revoked mid-session: the next request is refused.
    assert ada.delete(f"/api/v1/tokens/{ada_token.id}/").status_code == 204
    assert ada.get("/api/v1/notes/").status_code == 401
    assert bob.get("/api/v1/notes/").status_code == 200
