from django.core.management import call_command
from django.db import migrations

# The database caches' tables (kb/settings.py, shared_cache), named here rather than read from
# the settings: with REDIS_URL set, the caches are Redis's and `createcachetable` made no
# table, so a database migrated beside Redis failed every request once it ran without.
CACHE_TABLES = ("kb_shared_cache", "kb_signal_cache")


def create_cache_tables(apps, schema_editor) -> None:
    call_command("createcachetable", *CACHE_TABLES, database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("kb", "0007_entry_printed_by")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
