"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def app_info(request: HttpRequest) -> dict[str, object]:
    return {"app_version": settings.APP_VERSION, "git_revision": settings.GIT_REVISION}
