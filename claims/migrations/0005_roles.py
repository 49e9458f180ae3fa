"""The contributor and reviewer groups of DESIGN.md's roles, with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTRIBUTOR = [
    "sources.add_source",
    "sources.view_source",
    "sources.add_publisher",
    "sources.view_publisher",
    "claims.add_claim",
    "claims.view_claim",
    "claims.add_span",
    "claims.view_span",
    "claims.add_evidence",
    "claims.view_evidence",
    "claims.add_speaker",
    "claims.view_speaker",
    "claims.view_statuschange",
]
REVIEWER = CONTRIBUTOR + [
    "claims.change_claim",
    "claims.review_claim",
    "claims.change_claim_status",
    "claims.change_speaker",
    "sources.change_source",
    "sources.change_publisher",
]
ROLES = {"contributor": CONTRIBUTOR, "reviewer": REVIEWER}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(
                content_type__app_label=label.split(".")[0], codename=label.split(".")[1]
            )
            for label in codenames
        ]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_search_and_filter_indexes"),
        ("sources", "0002_source_text_guards"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
