import pytest
from django.test import Client

from fbrain.core.tests.factories import UserFactory
from fbrain.notes import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["note", "tag", "link", "revision"])
def test_admin_lists_and_shows_without_editing(settings, model):
    admin = UserFactory.create(is_staff=True, is_superuser=True)
    note = services.note_create(owner=admin, title="Admin", body="#t [[Other]]")
    services.note_update(note=note, body="#t [[Other]] v2")
    client = Client()
    client.force_login(admin)
    base = f"/{settings.ADMIN_URL}notes/{model}/"
    listing = client.get(base)
    assert listing.status_code == 200
    model_class = {"note": note.__class__}.get(model)
    if model_class is not None:
        detail = client.get(f"{base}{note.pk}/change/")
        assert detail.status_code == 200 and b'name="title"' not in detail.content
    assert client.get(f"{base}add/").status_code == 403
