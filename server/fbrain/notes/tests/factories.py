"""Factories for notes; notes are made through `note_create` so tags, links and the index are right."""

from typing import Any

import factory

from fbrain.core.tests.factories import UserFactory
from fbrain.notes.models import Note
from fbrain.notes.services import note_create


class NoteFactory(factory.Factory[Note]):
    class Meta:
        model = Note

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Note {n}")
    body = ""

    @classmethod
    def _create(cls, model_class: type[Note], *args: Any, **kwargs: Any) -> Note:
        return note_create(**kwargs)

    @classmethod
    def _build(cls, model_class: type[Note], *args: Any, **kwargs: Any) -> Note:
        return model_class(**kwargs)
