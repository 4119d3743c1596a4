"""The embedded mode's full-text index: an FTS5 table of the notes' text. SQLite only (Postgres has its vector).

The services keep its rows in step (notes.services.sync.update_search_index); a trigger drops a note's row when
the note is deleted, since deletes also come from cascades (an account deleted) that no service sees.
"""

from django.db import migrations

FORWARD = [
    # Its own copy of the text (not external content): a row can be replaced without knowing what it held.
    """
    CREATE VIRTUAL TABLE notes_note_fts USING fts5(
        title, tags, body, extra, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
    )
    """,
    # The titles' terms, for the typo fallback: reading the vocabulary of the whole text walks every term's list
    # of notes (hundreds of milliseconds); the titles' lists are short.
    "CREATE VIRTUAL TABLE notes_note_title_fts USING fts5(title, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE notes_note_title_vocab USING fts5vocab(notes_note_title_fts, 'row')",
    # What a search reads of each match's note (its filters and sort keys): in the table, these columns sit
    # after the body, so reading them walks the body's overflow pages.
    """
    CREATE INDEX notes_note_fts_lookup_idx
        ON notes_note (id, owner_id, deleted_at, updated_at, created_at, kind, pinned, archived)
    """,
    """
    CREATE TRIGGER notes_note_fts_delete AFTER DELETE ON notes_note BEGIN
        DELETE FROM notes_note_fts WHERE rowid = old.id;
        DELETE FROM notes_note_title_fts WHERE rowid = old.id;
    END
    """,
    # The notes written before this migration; the same text as update_search_index writes.
    """
    INSERT INTO notes_note_fts (rowid, title, tags, body, extra)
    SELECT n.id, n.title,
        coalesce((SELECT group_concat(t.name, ' ') FROM notes_notetag AS nt JOIN notes_tag AS t ON t.id = nt.tag_id
                  WHERE nt.note_id = n.id), ''),
        substr(n.body, 1, 262144), substr(n.extra_text, 1, 262144)
    FROM notes_note AS n
    """,
    "INSERT INTO notes_note_title_fts (rowid, title) SELECT id, title FROM notes_note",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS notes_note_fts_delete",
    "DROP INDEX IF EXISTS notes_note_fts_lookup_idx",
    "DROP TABLE IF EXISTS notes_note_title_vocab",
    "DROP TABLE IF EXISTS notes_note_title_fts",
    "DROP TABLE IF EXISTS notes_note_fts",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("notes", "0006_normalize_line_ends")]

    operations = [migrations.RunPython(forward, backward)]
