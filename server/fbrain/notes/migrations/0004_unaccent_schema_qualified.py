"""Schema-qualify unaccent inside fbrain_unaccent so pg_restore (which empties search_path) can rebuild indexes."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION fbrain_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $func$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $func$;
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION fbrain_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $func$ SELECT unaccent('unaccent'::regdictionary, $1) $func$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("notes", "0003_trash_age_index")]

    operations = [migrations.RunPython(forward, backward)]
