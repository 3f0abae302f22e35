from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor) -> None:
    # The signature version moved to a table of its own (the "signals" cache), away from the
    # rate-limit counts whose culling could drop it.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_entry_file_hash")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
