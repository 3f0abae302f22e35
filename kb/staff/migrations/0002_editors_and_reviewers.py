from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    ("kb", "add_entry"),
    ("kb", "change_entry"),
    ("kb", "view_entry"),
    ("staff", "add_revision"),
    ("staff", "view_revision"),
    ("staff", "view_auditevent"),
    ("staff", "view_sharedlog"),
    ("staff", "change_sharedlog"),
    ("staff", "view_rootcausecount"),
]
REVIEWER_PERMISSIONS = EDITOR_PERMISSIONS + [("staff", "publish_revision")]
GROUPS = {"Editors": EDITOR_PERMISSIONS, "Reviewers": REVIEWER_PERMISSIONS}


def create_groups(apps, schema_editor) -> None:
    # Permissions are normally created after all migrations ran; these groups need them now.
    for label in ("kb", "staff"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_groups(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
