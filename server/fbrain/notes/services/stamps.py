"""The per-owner content stamp behind the note lists' validators: every note or tag write moves it."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from fbrain.notes.models import ContentState

_TICK = timedelta(microseconds=1)


def content_changed(*, owner_id: int) -> None:
    """Give the owner's lists a new validator, inside the caller's transaction (call it last, before commit).

    `changed_at` never goes back (a writer that waited for the row lock may have read the clock earlier), so
    a `Last-Modified` a client holds is always older than any later change.
    """
    now = timezone.now()
    moved = {"serial": F("serial") + 1, "changed_at": Greatest(F("changed_at") + Value(_TICK), Value(now))}
    if ContentState.objects.filter(owner_id=owner_id).update(**moved):
        return
    # The owner's first change (a concurrent first change may insert the row meanwhile: then move it).
    _, created = ContentState.objects.get_or_create(owner_id=owner_id, defaults={"serial": 1, "changed_at": now})
    if not created:
        ContentState.objects.filter(owner_id=owner_id).update(**moved)
