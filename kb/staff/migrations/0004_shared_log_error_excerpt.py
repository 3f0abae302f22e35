from django.db import migrations, models

from kb.staff.models import error_excerpt


def fill_error_excerpts(apps, schema_editor) -> None:
    shared_log_model = apps.get_model("staff", "SharedLog")
    for shared_log in shared_log_model.objects.only("pk", "text").iterator():
        shared_log_model.objects.filter(pk=shared_log.pk).update(error_excerpt=error_excerpt(shared_log.text))


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_revision_replaced_and_superseded"),
    ]

    operations = [
        migrations.AddField(
            model_name="sharedlog",
            name="error_excerpt",
            field=models.TextField(blank=True, help_text="its first ERROR lines, cut short, for the queue"),
        ),
        migrations.RunPython(fill_error_excerpts, migrations.RunPython.noop),
    ]
