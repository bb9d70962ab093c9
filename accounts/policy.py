"""Who must sign in with a second factor, and who may unlock accounts and reset second factors."""

from django.conf import settings
from django_otp import user_has_device

from organisation.models import Role
from organisation.roles import LEARNER_DATA_ROLES
from organisation.scope import assignments_for

#: Roles that must sign in with a second factor when ALSMIS_2FA_ENFORCED is on (and superusers).
SECOND_FACTOR_ROLES = (Role.SYSTEM_ADMINISTRATOR, *LEARNER_DATA_ROLES)


def second_factor_enforced(user):
    """Whether `user` must have and use a second factor (superusers, administrators, learner data)."""
    if not getattr(settings, "ALSMIS_2FA_ENFORCED", True):
        return False
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(assignments_for(user, SECOND_FACTOR_ROLES))


def second_factor_required(user):
    """Whether signing in as `user` takes a second factor: enforced, or turned on by the user."""
    return second_factor_enforced(user) or user_has_device(user, confirmed=True)


def may_manage_sign_ins(user):
    """Superusers and system administrators unlock accounts and reset others' second factors."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or bool(assignments_for(user, Role.SYSTEM_ADMINISTRATOR))


def may_reset_second_factor_of(actor, user):
    """Whether `actor` may reset `user`'s second factor: a superuser's only by a superuser."""
    if not may_manage_sign_ins(actor):
        return False
    return actor.is_superuser or not user.is_superuser
