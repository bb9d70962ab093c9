"""The table of the "shared" database cache (settings.CACHES["shared"]), so `migrate` is enough.

The token endpoint's rate limit counts there, shared by every web process. With REDIS_URL set
the counters live in Redis and this table stays empty.
"""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = getattr(settings, "ALSMIS_SHARED_CACHE_TABLE", "alsmis_shared_cache")


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_table, drop_table)]
