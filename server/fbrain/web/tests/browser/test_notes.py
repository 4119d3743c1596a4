"""Browser: write, link, follow a pending link, backlinks, editor helpers, trash and restore, XSS."""

from __future__ import annotations

from fbrain.web.tests.browser.conftest import sign_in


def test_pending_link_to_new_note_and_backlink(page, member):
    sign_in(page)
    page.goto("/notes/new/")
    page.get_by_label("Title").fill("First thoughts")
    page.get_by_label("Text (Markdown)").fill("Today I had a [[New idea]] about gardens. #garden")
    page.locator("#preview a.wikilink-pending").wait_for()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="First thoughts").wait_for()

    page.locator("#note-body").get_by_role("link", name="New idea").click()
    assert page.get_by_label("Title").input_value() == "New idea"
    page.get_by_label("Text (Markdown)").fill("Grow tomatoes on the balcony.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="New idea").wait_for()

    backlinks = page.locator("#backlinks")
    assert backlinks.get_by_role("link", name="First thoughts").is_visible()
    assert "Today I had a New idea about gardens." in backlinks.inner_text()

    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search your notes and bookmarks").press_sequentially("idea", delay=40)
    results = page.locator(".search-results")
    results.get_by_role("link", name="First thoughts").wait_for()
    assert results.get_by_role("link", name="New idea").is_visible()
    assert results.locator("mark").first.is_visible()
    assert "q=idea" in page.url
    page.get_by_label("Search your notes and bookmarks").fill("tomatoes")
    page.locator(".search-results").get_by_role("link", name="First thoughts").wait_for(state="detached")
    assert page.locator(".search-results").get_by_role("link", name="New idea").is_visible()
    page.go_back()
    page.locator(".search-results").get_by_role("link", name="First thoughts").wait_for()
    assert page.get_by_label("Search your notes and bookmarks").input_value() == "idea"


def test_editor_autocompletes_titles_and_tags_and_saves_with_ctrl_s(signed_in, member):
    from fbrain.notes import services

    services.note_create(owner=member, title="Gardening plan", body="#garden/balcony")
    page = signed_in
    page.goto("/notes/new/")
    page.get_by_label("Title").fill("Linker")
    body = page.get_by_label("Text (Markdown)")
    body.click()
    body.press_sequentially("See [[Garden")
    page.get_by_role("option", name="Gardening plan").wait_for()
    body.press("Enter")
    body.press_sequentially(" and #garden/b")
    page.get_by_role("option", name="#garden/balcony").wait_for()
    body.press("Tab")
    assert body.input_value() == "See [[Gardening plan]] and #garden/balcony "
    page.locator("#preview a.wikilink:not(.wikilink-pending)").wait_for()
    body.press("Control+s")
    page.get_by_role("heading", name="Linker").wait_for()
    assert page.locator("#note-body a", has_text="Gardening plan").is_visible()


def test_conflict_is_shown_with_a_compare(signed_in, member):
    from fbrain.notes import services

    note = services.note_create(owner=member, title="Shared", body="first")
    page = signed_in
    page.goto(f"/notes/{note.pk}/edit/")
    services.note_update(note=note, body="changed in another tab")
    page.get_by_label("Text (Markdown)").fill("my version")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="This note changed while you were editing").wait_for()
    assert page.get_by_label("Text (Markdown)").input_value() == "my version"
    assert "-changed in another tab" in page.locator(".diff").inner_text()
    page.get_by_role("button", name="Save mine anyway").click()
    page.locator("#note-body", has_text="my version").wait_for()


def test_trash_and_restore(signed_in, member):
    from fbrain.notes import services

    note = services.note_create(owner=member, title="Throwaway", body="bye")
    page = signed_in
    page.goto(f"/notes/{note.pk}/")
    page.get_by_role("button", name="Move to trash").click()
    page.get_by_text("Moved “Throwaway” to the trash").wait_for()
    page.get_by_role("link", name="Trash").click()
    page.get_by_role("button", name="Restore Throwaway").click()
    page.get_by_role("heading", name="Throwaway").wait_for()


def test_xss_payload_in_a_note_does_not_execute(signed_in, member):
    from fbrain.notes import services

    payload = (
        "<script>window.pwned = 1</script>\n\n"
        '<img src="x" onerror="window.pwned = 2">\n\n'
        "[click](javascript:window.pwned=3)\n\n"
        '<a href="javascript:window.pwned=4">a</a> <svg onload="window.pwned=5"></svg>'
    )
    note = services.note_create(owner=member, title="Hostile", body=payload)
    page = signed_in
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"/notes/{note.pk}/")
    for link in page.locator("#note-body a").all():
        link.click(no_wait_after=True)
    page.goto(f"/notes/{note.pk}/edit/")
    page.locator("#preview p").first.wait_for()
    page.wait_for_timeout(300)
    assert page.evaluate("window.pwned") is None
    assert dialogs == []


def test_text_typed_before_the_session_expired_is_restored(page, member):
    from fbrain.notes import services
    from fbrain.web.tests.browser.conftest import sign_in

    note = services.note_create(owner=member, title="Long essay", body="First draft.")
    sign_in(page)
    page.goto(f"/notes/{note.pk}/edit/")
    page.get_by_label("Text (Markdown)").fill("First draft.\n\nAn hour of careful writing.")
    page.wait_for_timeout(500)
    page.context.clear_cookies(name="sessionid")  # the session expired; the CSRF cookie lives on
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(lambda url: "/accounts/login/" in url and "next=" in url)
    sign_in(page, open_form=False)
    page.wait_for_url(f"**/notes/{note.pk}/edit/")
    page.get_by_role("button", name="Restore it").click()
    assert page.get_by_label("Text (Markdown)").input_value() == "First draft.\n\nAn hour of careful writing."
    page.get_by_role("button", name="Save").click()
    page.locator("#note-body", has_text="An hour of careful writing.").wait_for()
    page.goto(f"/notes/{note.pk}/edit/")
    page.locator("#preview p").first.wait_for()
    assert page.locator("#draft-banner").is_hidden()
