"""Create the `graph_view` flag: on for every signed-in user until an admin narrows it."""

from django.db import migrations

NOTE = (
    "The graph page (/graph/) and GET /api/v1/graph/. On for every signed-in user through 'Authenticated'. "
    "To roll out gradually, untick 'Authenticated' and choose users, groups or a percentage; "
    "set 'Everyone' to No to turn it off for all."
)


def create_flag(apps, schema_editor):
    Flag = apps.get_model("waffle", "Flag")
    Flag.objects.get_or_create(name="graph_view", defaults={"everyone": None, "authenticated": True, "note": NOTE})


def delete_flag(apps, schema_editor):
    apps.get_model("waffle", "Flag").objects.filter(name="graph_view").delete()


class Migration(migrations.Migration):
    dependencies = [("waffle", "0004_update_everyone_nullbooleanfield")]

    operations = [migrations.RunPython(create_flag, delete_flag)]
