from django.core.management import call_command
from django.db import migrations

FTS_TABLE = "kb_entry_fts"


def create_search_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL searches the entry table with its own text search functions.
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "entry_id UNINDEXED, code, title, summary, header, body, tokenize = 'porter unicode61')"
    )


def drop_search_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def create_shared_cache_table(apps, schema_editor) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(create_shared_cache_table, migrations.RunPython.noop),
    ]
