"""The public search's own full-text vector on resource pages, with a GIN index.

Wagtail's database backend matches `(title || body) @@ query` on its index table, which no index
can serve, so every search scanned all entries. `search_document` is one stored, weighted vector
per page that a GIN index answers directly (see cms.search). The column and the index exist on
every database (on SQLite the index is a plain one); the backfill runs on PostgreSQL only.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations


def _config():
    # The text-search configuration of cms.search.search_config(), repeated here so that this
    # migration does not depend on application code that may change later.
    backend = settings.WAGTAILSEARCH_BACKENDS.get("default", {})
    return backend.get("SEARCH_CONFIG") or "english"


def fill_search_documents(apps, schema_editor):
    """Compute the vector of every existing resource page (same weights as cms.search)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        UPDATE cms_resourcepage AS rp SET search_document =
            setweight(to_tsvector(%(config)s::regconfig, coalesce(p.title, '')), 'A')
            || setweight(to_tsvector(%(config)s::regconfig,
                   concat_ws(' ', rp.keywords, rp.authors)), 'B')
            || setweight(to_tsvector(%(config)s::regconfig,
                   concat_ws(' ', rp.summary, rp.origin_name, rp.languages_display)), 'C')
        FROM wagtailcore_page AS p
        WHERE p.id = rp.page_ptr_id
        """,
        {"config": _config()},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_page_store"),
    ]

    operations = [
        migrations.AddField(
            model_name="resourcepage",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        # Filled before the index is built: one bulk build is faster than 20,000 index updates.
        migrations.RunPython(fill_search_documents, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="resourcepage",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_document"], name="resource_search_document"
            ),
        ),
    ]
