"""Browser: sign in and out, expired session, settings tokens, layout at phone width, dark mode, keyboard."""

from __future__ import annotations

import re

from fbrain.web.tests.browser.conftest import sign_in


def test_sign_in_with_a_typo_keeps_the_username_then_succeeds(page, member):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Username").input_value() == "ada"
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.wait_for()


def test_expired_session_goes_to_sign_in_and_back(page, member):
    sign_in(page)
    page.goto("/settings/")
    page.context.clear_cookies(name="sessionid")
    page.reload()
    assert "/accounts/login/" in page.url
    assert "next=/settings/" in page.url
    sign_in(page, open_form=False)
    assert page.url.endswith("/settings/")


def test_create_and_revoke_a_token(signed_in):
    page = signed_in
    page.goto("/settings/")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#id_name_error").is_visible()
    page.get_by_label("Token name").fill("laptop script")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token-value").inner_text()
    assert re.fullmatch(r"fb_[A-Za-z0-9_-]{20,}", secret)
    page.goto("/settings/")
    assert page.locator("#new-token-value").count() == 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke token laptop script").click()
    page.get_by_text("revoked", exact=False).first.wait_for()
    assert page.get_by_role("button", name="Revoke token laptop script").count() == 0


def test_phone_width_has_no_horizontal_scroll_and_dark_mode_applies(browser, live_server, member):
    from fbrain.notes import services

    note = services.note_create(
        owner=member,
        title="A rather long title for a note that has to wrap on a small phone screen",
        body="| a | table | with | several | columns |\n|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 |\n\n"
        "```\na_very_long_line_of_code_that_does_not_wrap_by_itself_at_all_really_not = 1\n```\n"
        "https://example.org/a/very/long/address/that/should/wrap/somewhere/instead/of/scrolling #area/topic",
    )
    services.note_update(note=note, body=note.body + "\nEdited.")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740}, color_scheme="dark")
    page = context.new_page()
    sign_in(page)
    pages = ["/", "/notes/", f"/notes/{note.pk}/", f"/notes/{note.pk}/edit/", f"/notes/{note.pk}/history/"]
    pages += ["/search/?q=table", "/bookmarks/", "/tags/", "/graph/", "/transfer/", "/trash/", "/settings/"]
    for path in [*pages, "/accounts/password_change/", "/no-such-page"]:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 23, 27)"
    context.close()


def test_skip_link_is_first_and_focus_is_visible(signed_in):
    page = signed_in
    page.goto("/settings/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_reading_and_searching_work_without_javascript(browser, live_server, member):
    from fbrain.notes import services

    services.note_create(owner=member, title="Plain reading", body="Readable with **no** scripts. See [[Other]].")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page)
    page.get_by_role("link", name="Notes").first.click()
    page.get_by_role("link", name="Plain reading").click()
    assert page.locator("#note-body strong").inner_text() == "no"
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search your notes and bookmarks").fill("readable")
    page.get_by_role("button", name="Search").click()
    page.locator(".search-results").get_by_role("link", name="Plain reading").wait_for()
    page.goto("/notes/new/?title=Other")
    page.get_by_label("Text (Markdown)").fill("Made without JavaScript.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Other").wait_for()
    context.close()


def test_a_new_installation_creates_its_administrator_from_the_first_page(page, django_user_model):
    assert not django_user_model.objects.exists()
    page.goto("/")
    page.get_by_role("link", name="Create the first account").click()
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_label("Password again").fill("correct-horse-battery")
    page.get_by_role("button", name="Create the administrator account").click()
    page.get_by_role("button", name="Sign out").wait_for()
    assert django_user_model.objects.get().is_superuser
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.wait_for()
    assert page.get_by_role("link", name="Create the first account").count() == 0
    assert page.goto("/setup/").status == 404
