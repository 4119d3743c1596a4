"""Home page and quick capture."""

from fbrain.notes import services
from fbrain.notes.models import Note


def test_anonymous_home_invites_to_sign_in(client, member):
    html = client.get("/").content.decode()
    assert "Sign in" in html and "/setup/" not in html


def test_home_lists_pinned_and_recent(signed_in, member):
    services.note_create(owner=member, title="Pinned one", pinned=True)
    services.note_create(owner=member, title="Recent one")
    services.note_create(owner=member, title="A page", kind=Note.Kind.BOOKMARK)
    html = signed_in.get("/").content.decode()
    assert "Pinned one" in html and "Recent one" in html and "A page" in html
    assert 'aria-current="page">Home' in html


def test_quick_capture_makes_a_note_from_the_first_line(signed_in, member):
    response = signed_in.post("/capture", {"text": "Call Ada\nabout the engine"})
    note = Note.objects.get(owner=member)
    assert note.title == "Call Ada"
    assert response["Location"] == f"/notes/{note.pk}/"


def test_quick_capture_with_a_taken_title_adds_the_time(signed_in, member):
    services.note_create(owner=member, title="Idea")
    signed_in.post("/capture", {"text": "Idea"})
    assert Note.objects.filter(owner=member, title__startswith="Idea (").exists()


def test_quick_capture_empty_is_an_error(signed_in):
    response = signed_in.post("/capture", {"text": ""})
    assert response.status_code == 400
    assert 'id="id_text_error"' in response.content.decode()


def test_quick_capture_service_error_keeps_the_text(signed_in):
    response = signed_in.post("/capture", {"text": "---\nx: [\n---\nkeep me"})
    assert response.status_code == 400
    assert "keep me" in response.content.decode()
