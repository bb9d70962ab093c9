"""On SQLite, the public search matches word forms ("coin" finds "Coins"), as on PostgreSQL.

Wagtail's database backend on SQLite matches against an FTS5 table that its own migration
creates with FTS5's default tokenizer, which does not stem. This rebuilds that table with the
Porter stemmer in front of the same tokenizer (`porter unicode61`) and copies the index entries
back in; the stemmer then applies to the indexed text and to every query alike. Wagtail's
triggers on its index table name the FTS5 table, not its definition, so they keep filling it.
PostgreSQL (and SQLite without FTS5) is left alone: there `cms.search` matches stemmed vectors.
"""

from django.db import migrations

FTS_TABLE = "wagtailsearch_indexentry_fts"
ENTRIES = "wagtailsearch_indexentry"
STEMMED = "porter unicode61"


def _fts_definition(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _rebuild(schema_editor, tokenize):
    if schema_editor.connection.vendor != "sqlite":
        return
    definition = _fts_definition(schema_editor)
    if definition is None:
        return  # no FTS5 in this SQLite: Wagtail searches without that table
    if (tokenize is None) == ("tokenize" not in definition):
        return  # already as wanted
    options = f", tokenize = '{tokenize}'" if tokenize else ""
    schema_editor.execute(f"DROP TABLE {FTS_TABLE}")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(autocomplete, body, title{options})"
    )
    schema_editor.execute(
        f"INSERT INTO {FTS_TABLE}(rowid, title, body, autocomplete) "
        f"SELECT id, title, body, autocomplete FROM {ENTRIES}"
    )


def stem(apps, schema_editor):
    _rebuild(schema_editor, STEMMED)


def unstem(apps, schema_editor):
    _rebuild(schema_editor, None)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_drop_page_store"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(stem, unstem)]
