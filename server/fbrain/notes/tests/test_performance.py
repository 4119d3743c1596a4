"""Query budgets: list, search, backlinks, links, revisions, tags, trash and graph cost the same at any page size."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from fbrain.notes import services
from fbrain.notes.models import Note

pytestmark = pytest.mark.django_db

# Session/auth + savepoint overhead is included; the point is that it does not grow with the page size.
BUDGET = 8
# The search vector's own statements (Postgres; SQLite keeps no vector).
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def hub(user):
    hub = services.note_create(owner=user, title="Hub", body="#hub")
    for index in range(12):
        note = services.note_create(
            owner=user, title=f"Spoke {index}", body=f"[[Hub]] [[Spoke {index + 1}]] #t{index} #common keyword"
        )
        if index >= 10:
            services.note_delete(note=note)
    for index in range(5):
        hub = services.note_update(note=hub, body=f"#hub version {index}")
    return hub


@pytest.mark.parametrize("page_size", [1, 100])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/notes/?page_size={n}",
        "/api/v1/notes/?page_size={n}&tag=common&ordering=title",
        "/api/v1/search/?q=keyword&page_size={n}",
        "/api/v1/search/?q=spok&tag=common&page_size={n}",
        "/api/v1/search/?q=spkoe&page_size={n}",
        "/api/v1/notes/{hub}/backlinks/?page_size={n}",
        "/api/v1/notes/{spoke}/links/?page_size={n}",
        "/api/v1/notes/{hub}/revisions/?page_size={n}",
        "/api/v1/tags/?page_size={n}",
        "/api/v1/trash/?page_size={n}",
        "/api/v1/graph/?page_size={n}",
        "/api/v1/graph/?page_size={n}&tag=common",
    ],
)
def test_list_endpoints_run_constant_queries(client, hub, user, django_assert_max_num_queries, url, page_size):
    spoke = user.notes.get(title="Spoke 1")
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url.format(n=page_size, hub=hub.id, spoke=spoke.id))
    assert response.status_code == 200, response.content


# Writes: the single-note paths skip the derived-row reads a new or body-unchanged note cannot need.
def test_note_create_without_tags_or_links_runs_five_queries(user, django_assert_num_queries):
    services.note_create(owner=user, title="First")  # the owner's first write also creates the content stamp
    # Savepoint, insert (with its search vector), resolve pending links to it, move the content stamp, release.
    with django_assert_num_queries(5):
        services.note_create(owner=user, title="Plain", body="Just words.")


@pytest.mark.postgres_only("search vectors are Postgres only")
def test_note_create_stores_the_vector_a_reindex_computes(user):
    note = services.note_create(owner=user, title="Café notes", body="Running *quickly* past [[Links]] and `code`")
    stored = Note.objects.values_list("search_vector", flat=True).get(pk=note.pk)
    services.update_search_vectors([note.pk])
    assert stored and stored == Note.objects.values_list("search_vector", flat=True).get(pk=note.pk)


def test_note_create_with_tags_and_links_runs_constant_queries(user, django_assert_num_queries):
    services.note_create(owner=user, title="Target")
    with django_assert_num_queries(12 if POSTGRES else 11):
        note = services.note_create(
            owner=user, title="Rich", body="#one #two [[Target]] [[Missing]] [[Other]]", tags=["three"]
        )
    assert note.outgoing_links.filter(target__isnull=False).count() == 1
    assert note.note_tags.count() == 3


def test_note_rename_runs_constant_queries(user, django_assert_num_queries):
    note = services.note_create(owner=user, title="Before", body="#kept [[Elsewhere]]")
    # Savepoint, lock, revision, update, unresolve, resolve, vector in its own savepoint (Postgres), stamp,
    # release.
    with django_assert_num_queries(11 if POSTGRES else 8):
        services.note_update(note=note, title="After")
    assert note.note_tags.get().tag.name == "kept"
