from django.db import migrations

PG_TABLE = "kb_entry_search"


def create_search_documents(apps, schema_editor) -> None:
    """PostgreSQL ranked every entry's whole text on every search (270 ms); keep each published
    entry's weighted document instead, as SQLite keeps its FTS5 rows."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        # No foreign key, like SQLite's FTS5 table: the entry's delete signal removes its row.
        f"CREATE TABLE {PG_TABLE} (entry_id bigint PRIMARY KEY, document tsvector NOT NULL)"
    )
    schema_editor.execute(f"CREATE INDEX {PG_TABLE}_document ON {PG_TABLE} USING gin (document)")
    schema_editor.execute(
        f"INSERT INTO {PG_TABLE} (entry_id, document) SELECT id, "
        "setweight(to_tsvector('english', replace(code, '_', ' ') || ' ' || title), 'A') "
        "|| setweight(to_tsvector('english', summary || ' ' || header), 'B') "
        "|| setweight(to_tsvector('english', concat_ws(' ', meaning, fix, verify, triage, examples, "
        "background, prevention)), 'D') FROM kb_entry WHERE status = 'published'"
    )


def drop_search_documents(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("kb", "0004_signal_cache")]

    operations = [migrations.RunPython(create_search_documents, drop_search_documents)]
