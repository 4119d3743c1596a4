"""Note bodies are stored with `\n` line ends whatever sends them; the migration normalizes existing ones."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from fbrain.notes import services
from fbrain.notes.models import Note, Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_bodies_are_stored_with_unix_line_ends_from_every_path(client, user):
    created = client.post("/api/v1/notes/", {"title": "Lines", "body": "one\r\ntwo\rthree\n"}, format="json")
    assert created.json()["body"] == "one\ntwo\nthree\n"
    note = Note.objects.get(pk=created.json()["id"])
    assert note.body == "one\ntwo\nthree\n"
    patched = client.patch(f"/api/v1/notes/{note.pk}/", {"body": "a\r\nb"}, format="json")
    assert patched.json()["body"] == "a\nb"
    browser = APIClient()
    browser.force_login(user)
    assert browser.post("/notes/new/", {"title": "From a textarea", "body": "x\r\ny\r\n"}).status_code == 302
    assert Note.objects.get(title="From a textarea").body == "x\ny\n"
    made = services.notes_bulk_create(owner=user, notes=[services.NewNote(title="Imported", body="p\r\nq")])
    assert made[0] is not None and Note.objects.get(pk=made[0].pk).body == "p\nq"


def test_the_migration_normalizes_existing_bodies_and_revisions(user):
    note = services.note_create(owner=user, title="Old", body="first")
    services.note_update(note=note, body="second")
    Note.objects.filter(pk=note.pk).update(body="old\r\nlines")
    Revision.objects.filter(note=note).update(body="rev\r\nlines")
    before = Note.objects.get(pk=note.pk)
    migration = importlib.import_module("fbrain.notes.migrations.0006_normalize_line_ends")
    migration.normalize(apps, None)
    after = Note.objects.get(pk=note.pk)
    assert after.body == "old\nlines" and after.version == before.version
    assert after.updated_at > before.updated_at  # a new ETag: clients holding the old bytes get the new ones
    assert Revision.objects.get(note=note).body == "rev\nlines"
