"""Store every note body (and revision body) with \\n line ends, as the services now do on every write."""

from django.db import migrations
from django.db.models import F
from django.utils import timezone


def _normalized(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalize(apps, schema_editor):
    # No new version or revision: the text a reader sees is the same. The notes' updated_at and their
    # owners' content stamps move, so a client holding the old bytes gets them again instead of a 304.
    now = timezone.now()
    owners = set()
    for name in ("Note", "Revision"):
        model = apps.get_model("notes", name)
        fields = ["body", "updated_at"] if name == "Note" else ["body"]
        batch = []
        rows = model.objects.filter(body__contains="\r").only("id", "body", *(["owner_id"] if name == "Note" else []))
        for row in rows.iterator(chunk_size=500):
            row.body = _normalized(row.body)
            if name == "Note":
                row.updated_at = now
                owners.add(row.owner_id)
            batch.append(row)
            if len(batch) == 500:
                model.objects.bulk_update(batch, fields)
                batch = []
        if batch:
            model.objects.bulk_update(batch, fields)
    states = apps.get_model("notes", "ContentState")
    for owner_id in owners:
        if not states.objects.filter(owner_id=owner_id).update(serial=F("serial") + 1, changed_at=now):
            states.objects.create(owner_id=owner_id, serial=1, changed_at=now)


class Migration(migrations.Migration):
    dependencies = [("notes", "0005_content_state")]

    operations = [migrations.RunPython(normalize, migrations.RunPython.noop, elidable=True)]
