"""Note pages: list and filters, view with backlinks, editor, conflicts, preview, autocomplete, actions."""

from __future__ import annotations

import re

import pytest

from fbrain.notes import services
from fbrain.notes.models import Note, Revision


@pytest.fixture
def make(member):
    def create(title: str, body: str = "", **kwargs) -> Note:
        return services.note_create(owner=member, title=title, body=body, **kwargs)

    return create


def test_pages_need_sign_in(client, db):
    for path in ["/notes/", "/notes/new/", "/notes/1/", "/tags/", "/trash/"]:
        assert client.get(path).status_code == 302, path


def test_list_shows_notes_and_the_tag_tree(signed_in, make):
    make("Alpha", "about #project/alpha")
    make("Other", "plain")
    html = signed_in.get("/notes/").content.decode()
    assert "Alpha" in html and "Other" in html
    assert "#project" in html and "#alpha" in html
    assert "2 notes" in html


def test_list_filters_by_parent_tag_and_kind(signed_in, make):
    make("Alpha", "#project/alpha")
    make("Other", "#misc")
    html = signed_in.get("/notes/?tag=project").content.decode()
    assert "Alpha" in html
    assert "Other" not in html
    assert "1 note" in html
    assert "No notes here yet" in signed_in.get("/notes/?kind=bookmark").content.decode()


def test_list_sorts_and_paginates(signed_in, make):
    for number in range(55):
        make(f"N{number:02d}")
    html = signed_in.get("/notes/?sort=title").content.decode()
    assert html.index("N00") < html.index("N01")
    assert "Page 1 of 2" in html
    page_two = signed_in.get("/notes/?sort=title&page=2").content.decode()
    assert "N54" in page_two


def test_archived_notes_are_hidden_unless_asked(signed_in, make):
    make("Old", archived=True)
    assert "Old" not in signed_in.get("/notes/").content.decode()
    assert "Old" in signed_in.get("/notes/?archived=yes").content.decode()


def test_note_view_renders_sanitised_markdown_and_links(signed_in, make):
    target = make("Target")
    source = make("Source", "Intro. See [[Target]] for details. And [[Missing]].\n\n<script>alert(1)</script>")
    html = signed_in.get(f"/notes/{source.pk}/").content.decode()
    assert "<script>alert" not in html
    assert f'href="/notes/{target.pk}/"' in html
    assert "/notes/new/?title=Missing" in html
    assert "Pending links" in html
    target_html = signed_in.get(f"/notes/{target.pk}/").content.decode()
    assert "See <mark>Target</mark> for details." in target_html


def test_someone_elses_note_is_not_found(signed_in, db):
    from fbrain.core.tests.factories import UserFactory

    other = services.note_create(owner=UserFactory(), title="Secret")
    assert signed_in.get(f"/notes/{other.pk}/").status_code == 404
    assert signed_in.get(f"/notes/{other.pk}/edit/").status_code == 404


def test_create_prefills_title_from_a_pending_link(signed_in):
    html = signed_in.get("/notes/new/?title=New%20idea").content.decode()
    assert 'value="New idea"' in html


def test_create_saves_and_redirects(signed_in, member):
    response = signed_in.post("/notes/new/", {"title": "First", "body": "Hello #greeting"})
    note = Note.objects.get(owner=member, title="First")
    assert response.status_code == 302
    assert response["Location"] == f"/notes/{note.pk}/"


def test_create_with_taken_title_keeps_the_text(signed_in, make):
    make("Taken")
    response = signed_in.post("/notes/new/", {"title": "taken", "body": "my precious words"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "my precious words" in html
    assert 'id="id_title_error"' in html


def test_create_with_blank_title_is_a_field_error(signed_in):
    response = signed_in.post("/notes/new/", {"title": "", "body": "text"})
    assert response.status_code == 400
    assert 'id="id_title_error"' in response.content.decode()


def test_edit_saves_a_new_version(signed_in, make):
    note = make("Draft", "one")
    page = signed_in.get(f"/notes/{note.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in page
    response = signed_in.post(f"/notes/{note.pk}/edit/", {"title": "Draft", "body": "two", "version": 1})
    note.refresh_from_db()
    assert response.status_code == 302
    assert (note.body, note.version) == ("two", 2)


def test_edit_on_a_stale_version_shows_the_conflict_and_keeps_the_text(signed_in, make):
    note = make("Shared", "original")
    services.note_update(note=note, body="changed elsewhere")
    response = signed_in.post(f"/notes/{note.pk}/edit/", {"title": "Shared", "body": "my edit", "version": 1})
    html = response.content.decode()
    note.refresh_from_db()
    assert response.status_code == 409
    assert note.body == "changed elsewhere"
    assert "changed while you were editing" in html
    assert "my edit" in html
    assert '<span class="del">-changed elsewhere</span>' in html
    assert 'name="version" value="2"' in html
    again = signed_in.post(f"/notes/{note.pk}/edit/", {"title": "Shared", "body": "my edit", "version": 2})
    note.refresh_from_db()
    assert again.status_code == 302
    assert note.body == "my edit"


def test_rename_can_update_links_in_other_notes(signed_in, make):
    note = make("Old name")
    linker = make("Linker", "see [[Old name]]")
    signed_in.post(f"/notes/{note.pk}/edit/", {"title": "New name", "body": "", "version": 1, "rewrite_links": "on"})
    linker.refresh_from_db()
    assert linker.body == "see [[New name]]"


def test_edit_with_invalid_front_matter_keeps_the_text(signed_in, make):
    note = make("FM")
    body = "---\ntags: [unclosed\n---\ntext"
    response = signed_in.post(f"/notes/{note.pk}/edit/", {"title": "FM", "body": body, "version": 1})
    assert response.status_code == 400
    assert "tags: [unclosed" in response.content.decode()


def test_preview_renders_resolved_and_pending_links(signed_in, make):
    target = make("Known")
    html = signed_in.post("/notes/preview", {"body": "[[Known]] and [[Unknown]] <img src=x onerror=alert(1)>"})
    text = html.content.decode()
    assert f'href="/notes/{target.pk}/"' in text
    assert "wikilink-pending" in text
    assert "onerror" not in text
    assert "Nothing to preview" in signed_in.post("/notes/preview", {"body": " "}).content.decode()


def test_preview_reports_bad_front_matter(signed_in):
    text = signed_in.post("/notes/preview", {"body": "---\na: [\n---\n"}).content.decode()
    assert 'class="error"' in text


def test_title_and_tag_suggestions(signed_in, make):
    make("Project plan", "#project/alpha #project")
    make("My project", "#other")
    titles = signed_in.get("/notes/titles?q=proj").json()["results"]
    assert titles == ["Project plan", "My project"]
    tags = signed_in.get("/notes/tags?q=pro").json()["results"]
    assert set(tags) == {"project", "project/alpha"}


def test_delete_pin_archive(signed_in, make, member):
    note = make("Temp")
    signed_in.post(f"/notes/{note.pk}/toggle/pinned")
    note.refresh_from_db()
    assert note.pinned
    signed_in.post(f"/notes/{note.pk}/toggle/archived")
    note.refresh_from_db()
    assert note.archived
    assert signed_in.post(f"/notes/{note.pk}/toggle/other").status_code == 404
    response = signed_in.post(f"/notes/{note.pk}/delete", follow=True)
    note.refresh_from_db()
    assert note.deleted_at is not None
    assert "Moved “Temp” to the trash" in response.content.decode()


def test_history_diff_and_restore(signed_in, make):
    note = make("Doc", "first text")
    services.note_update(note=note, body="second text")
    revision = Revision.objects.get(note=note, version=1)
    history = signed_in.get(f"/notes/{note.pk}/history/").content.decode()
    assert "Version 1" in history
    diff = signed_in.get(f"/notes/{note.pk}/history/{revision.pk}/").content.decode()
    assert '<span class="del">-first text</span>' in diff
    assert '<span class="add">+second text</span>' in diff
    services.note_update(note=note, title="Doc 3", body="third text")
    second = Revision.objects.get(note=note, version=2)
    between = signed_in.get(f"/notes/{note.pk}/history/{revision.pk}/?against={second.pk}").content.decode()
    assert "Version 1 → version 2" in between
    assert '<span class="add">+second text</span>' in between
    assert "third text" not in between
    signed_in.post(f"/notes/{note.pk}/history/{revision.pk}/restore")
    note.refresh_from_db()
    assert note.body == "first text"
    assert "No earlier versions" in signed_in.get(f"/notes/{make('Fresh').pk}/history/").content.decode()


def test_trash_restore_purge_and_empty(signed_in, make, member):
    one, two, three = make("One"), make("Two"), make("Three")
    for note in (one, two, three):
        services.note_delete(note=note)
    assert "One" in signed_in.get("/trash/").content.decode()
    signed_in.post(f"/trash/{one.pk}/restore")
    one.refresh_from_db()
    assert one.deleted_at is None
    signed_in.post(f"/trash/{two.pk}/purge")
    assert not Note.objects.filter(pk=two.pk).exists()
    signed_in.post("/trash/empty")
    assert not Note.objects.filter(pk=three.pk).exists()
    assert "The trash is empty" in signed_in.get("/trash/").content.decode()


def test_restore_with_a_taken_title_explains(signed_in, make):
    old = make("Dup")
    services.note_delete(note=old)
    make("Dup")
    response = signed_in.post(f"/trash/{old.pk}/restore", follow=True)
    assert "Cannot restore" in response.content.decode()


def test_tags_rename_and_merge(signed_in, make, member):
    from fbrain.notes.models import Tag

    note = make("Tagged", "#old #a #b")
    tag = Tag.objects.get(owner=member, name="old")
    assert "#old" in signed_in.get("/tags/").content.decode()
    assert 'value="old"' in signed_in.get(f"/tags/{tag.pk}/rename").content.decode()
    signed_in.post(f"/tags/{tag.pk}/rename", {"name": "new"})
    note.refresh_from_db()
    assert "#new" in note.body
    signed_in.post("/tags/merge", {"sources": ["a", "b"], "target": "ab"})
    note.refresh_from_db()
    assert "#ab" in note.body and "#a " not in note.body


def test_tag_rename_clash_is_a_field_error(signed_in, make, member):
    from fbrain.notes.models import Tag

    make("T", "#one #two")
    tag = Tag.objects.get(owner=member, name="one")
    response = signed_in.post(f"/tags/{tag.pk}/rename", {"name": "two"})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()


def test_tag_merge_errors_keep_the_form(signed_in, make):
    make("T", "#one")
    response = signed_in.post("/tags/merge", {"sources": ["one"], "target": "bad tag!"})
    assert response.status_code == 400
    assert 'id="id_target_error"' in response.content.decode()
    assert signed_in.post("/tags/merge", {"target": "x"}).status_code == 400


def test_empty_tags_page(signed_in):
    assert "No tags yet" in signed_in.get("/tags/").content.decode()


def test_note_page_after_a_save_lets_the_browser_drop_the_draft(signed_in, make, member):
    note = make("Drafted", "one")
    signed_in.post(f"/notes/{note.pk}/edit/", {"title": "Drafted", "body": "two", "version": 1})
    first = signed_in.get(f"/notes/{note.pk}/").content.decode()
    assert f'data-saved-draft="/notes/{note.pk}/edit/"' in first
    assert "data-saved-draft" not in signed_in.get(f"/notes/{note.pk}/").content.decode()
    signed_in.post("/notes/new/", {"title": "Brand new", "body": ""})
    created = Note.objects.get(owner=member, title="Brand new")
    assert 'data-saved-draft="/notes/new/"' in signed_in.get(f"/notes/{created.pk}/").content.decode()


def test_the_csrf_cookie_is_http_only_and_htmx_posts_carry_the_token_from_the_page(member):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    page = browser.get("/notes/new/")
    cookie = page.cookies["csrftoken"]
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.content.decode())
    assert meta is not None
    token = meta.group(1)

    # Scripts cannot read an HttpOnly cookie: app.js sends the meta tag's token in X-CSRFToken instead.
    assert cookie["httponly"] is True
    assert browser.post("/notes/preview", {"body": "x"}, headers={"HX-Request": "true"}).status_code == 403
    sent = browser.post("/notes/preview", {"body": "x"}, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert sent.status_code == 200
