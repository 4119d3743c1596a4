"""Keep the API's cached reads honest: any saved or deleted note or tag retires its owner's cached answers."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from fbrain.core import generations
from fbrain.notes.models import Note, Tag


def _owner_changed(sender: type, instance: Note | Tag, **_: Any) -> None:
    # Bulk writes (bulk_create, update) send no signal: the services that use them call generations.changed.
    generations.changed(generations.CONTENT, instance.owner_id)


def connect() -> None:
    for model in (Note, Tag):
        post_save.connect(_owner_changed, sender=model, dispatch_uid=f"fbrain-content-{model.__name__}-save")
        post_delete.connect(_owner_changed, sender=model, dispatch_uid=f"fbrain-content-{model.__name__}-delete")
