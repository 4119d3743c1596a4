"""Browser: the admin (user management) works under the site's Content-Security-Policy."""

from __future__ import annotations


def test_admin_user_pages_run_no_blocked_script(page, console, transactional_db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@example.test", "correct-horse-battery")
    page.goto("/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Username").fill("newcomer")
    page.wait_for_timeout(300)
    assert console.script_blocks() == []
