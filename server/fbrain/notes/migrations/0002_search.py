"""Full-text and fuzzy search on Postgres: extensions, the `fbrain_search` configuration, GIN indexes.

Every operation here is a no-op on SQLite (the embedded mode searches with LIKE).
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FORWARD = [
    # `simple` (no stemming: notes mix languages) with accents folded away.
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'fbrain_search') THEN
            CREATE TEXT SEARCH CONFIGURATION fbrain_search (COPY = pg_catalog.simple);
            ALTER TEXT SEARCH CONFIGURATION fbrain_search
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
        END IF;
    END $$;
    """,
    # unaccent() is only STABLE; an IMMUTABLE wrapper with a fixed dictionary can be indexed.
    """
    CREATE OR REPLACE FUNCTION fbrain_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $func$ SELECT unaccent('unaccent'::regdictionary, $1) $func$;
    """,
    "CREATE INDEX IF NOT EXISTS notes_note_search_idx ON notes_note USING gin (search_vector);",
    """
    CREATE INDEX IF NOT EXISTS notes_note_title_trgm_idx ON notes_note
        USING gin (fbrain_unaccent(lower(title)) gin_trgm_ops) WHERE deleted_at IS NULL;
    """,
]
BACKWARD = [
    "DROP INDEX IF EXISTS notes_note_title_trgm_idx;",
    "DROP INDEX IF EXISTS notes_note_search_idx;",
    "DROP FUNCTION IF EXISTS fbrain_unaccent(text);",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS fbrain_search;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(forward, backward),
    ]
