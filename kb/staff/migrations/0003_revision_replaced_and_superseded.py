from django.db import migrations, models


def keep_one_published_revision_per_entry(apps, schema_editor) -> None:
    """Before this migration every published revision stayed "published"; only the newest is live."""
    revision_model = apps.get_model("staff", "Revision")
    newest: dict[int, int] = {}
    for entry_id, number in revision_model.objects.filter(state="published").values_list("entry_id", "number"):
        newest[entry_id] = max(number, newest.get(entry_id, 0))
    for entry_id, number in newest.items():
        older = revision_model.objects.filter(entry_id=entry_id, state="published", number__lt=number)
        older.update(state="replaced")


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_editors_and_reviewers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="revision",
            name="state",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("published", "Published"),
                    ("rejected", "Rejected"),
                    ("replaced", "published, then replaced by a newer revision"),
                    ("superseded", "never published; a newer revision went live"),
                ],
                default="draft",
                max_length=10,
            ),
        ),
        migrations.RunPython(keep_one_published_revision_per_entry, migrations.RunPython.noop),
    ]
