"""Celery tasks of the `capture` queue: capture a bookmark, re-check a link. Thin: ids in, one service."""

from __future__ import annotations

import random
import time

from celery import Task, shared_task
from django.conf import settings

from fbrain.bookmarks import services
from fbrain.bookmarks.fetcher import FetchError

MAX_RETRIES = 3
# Eager mode (the embedded server) retries inside the request that saved the bookmark: keep the waits short.
EAGER_RETRY_MAX_SECONDS = 2.0
EAGER_BUDGET_SECONDS = 30.0


def retry_countdown(retries: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter; a server's Retry-After (already bounded) wins when longer."""
    base = settings.CAPTURE_RETRY_BASE_SECONDS * (2**retries)
    countdown = random.uniform(base / 2, base)  # noqa: S311 - jitter, not security
    if retry_after is not None:
        countdown = max(countdown, retry_after)
    return min(countdown, settings.CAPTURE_RETRY_MAX_SECONDS)


# The bookmark row keeps the outcome the UI and API read; a stored Celery result would only be written (twice,
# with CELERY_TASK_TRACK_STARTED) and expire unread.
@shared_task(
    bind=True,
    name="fbrain.bookmarks.tasks.capture_bookmark",
    queue="capture",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def capture_bookmark(self: Task, note_id: int) -> str:
    if self.request.is_eager:
        return _capture_inline(note_id)
    retries = self.request.retries or 0
    try:
        return services.bookmark_capture(bookmark_id=note_id, final_attempt=retries >= MAX_RETRIES)
    except FetchError as error:
        raise self.retry(countdown=retry_countdown(retries, error.retry_after)) from error


def _capture_inline(note_id: int) -> str:
    """The retries of an eager capture (embedded mode: no worker will come back later), here and now.

    Celery's Retry would escape the caller's on_commit as a 500 and leave the bookmark pending. The waits
    follow the same backoff, each at most EAGER_RETRY_MAX_SECONDS, and once EAGER_BUDGET_SECONDS have passed
    the next attempt is the final one: the bookmark ends captured or failed within the request.
    """
    started = time.monotonic()
    retries = 0
    while True:
        final = retries >= MAX_RETRIES or time.monotonic() - started >= EAGER_BUDGET_SECONDS
        try:
            return services.bookmark_capture(bookmark_id=note_id, final_attempt=final)
        except FetchError as error:
            time.sleep(min(retry_countdown(retries, error.retry_after), EAGER_RETRY_MAX_SECONDS))
            retries += 1


@shared_task(
    name="fbrain.bookmarks.tasks.check_bookmark_link",
    queue="capture",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def check_bookmark_link(note_id: int) -> str:
    return services.bookmark_check_link(bookmark_id=note_id)
