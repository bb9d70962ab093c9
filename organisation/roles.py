"""Each role is a Wagtail group with the model permissions that role needs.

Groups are (re)synchronised after every `migrate`, so a fresh database and an upgraded one end up
with the same groups. Other apps add their permissions here by name ("app_label.codename"), which
keeps this app free of imports from the apps above it.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from .models import Role

ADMIN_ACCESS = "wagtailadmin.access_admin"
VIEW_UNITS = [
    "organisation.view_region",
    "organisation.view_division",
    "organisation.view_district",
    "organisation.view_communitylearningcenter",
]
MANAGE_UNITS = [
    f"organisation.{action}_{model}"
    for model in ("region", "division", "district", "communitylearningcenter", "roleassignment")
    for action in ("add", "change", "delete", "view")
]

ROLE_PERMISSIONS = {
    Role.ALS_TEACHER: [ADMIN_ACCESS, *VIEW_UNITS],
    Role.RECORDS_SECTION: [ADMIN_ACCESS, *VIEW_UNITS],
    Role.EPSA: [ADMIN_ACCESS, *VIEW_UNITS, "organisation.change_communitylearningcenter"],
    Role.DIVISION_FOCAL: [
        ADMIN_ACCESS,
        *VIEW_UNITS,
        "organisation.add_communitylearningcenter",
        "organisation.change_communitylearningcenter",
        "organisation.view_roleassignment",
    ],
    Role.ENCODER: [ADMIN_ACCESS, *VIEW_UNITS],
    Role.LR_QA_REVIEWER: [ADMIN_ACCESS, *VIEW_UNITS],
    Role.REGIONAL_ALS: [
        ADMIN_ACCESS,
        *VIEW_UNITS,
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    ],
    Role.SYSTEM_ADMINISTRATOR: [
        ADMIN_ACCESS,
        *MANAGE_UNITS,
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
}


#: Roles that work with learner-level data (names, birthdates, LRNs, sensitive fields): they may
#: export whole AF snapshots. Records sections, LR QA reviewers, teachers and system administrators
#: are not among them. The one list; other apps import it (learners and snapshots sit above).
LEARNER_DATA_ROLES = (Role.EPSA, Role.DIVISION_FOCAL, Role.ENCODER, Role.REGIONAL_ALS)


def extend_role_permissions(role, *permission_names):
    """Let an app above this one grant its model permissions to a role (call from AppConfig.ready)."""
    current = ROLE_PERMISSIONS.setdefault(Role(role), [])
    current.extend(name for name in permission_names if name not in current)


def group_for(role):
    """The Wagtail group that carries a role's permissions (named after the role's label)."""
    group, _created = Group.objects.get_or_create(name=str(Role(role).label))
    return group


def sync_role_groups(using="default", **_kwargs):
    """Create or update one group per role with exactly the permissions listed for it."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, names in ROLE_PERMISSIONS.items():
        group = group_for(role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                raise LookupError(f"Role {role.value} names unknown permission {name}")
            wanted.append(permission)
        group.permissions.set(wanted)
