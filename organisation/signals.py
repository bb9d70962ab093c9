"""Keep group membership in step with role assignments, however an assignment is made."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import RoleAssignment
from .roles import group_for
from .scope import forget_assignments


@receiver(post_save, sender=RoleAssignment, dispatch_uid="alsmis_role_assignment_saved")
def add_user_to_role_group(sender, instance, **kwargs):
    instance.user.groups.add(group_for(instance.role))
    forget_assignments(instance.user)


@receiver(post_delete, sender=RoleAssignment, dispatch_uid="alsmis_role_assignment_deleted")
def remove_user_from_role_group(sender, instance, **kwargs):
    if not RoleAssignment.objects.filter(user_id=instance.user_id, role=instance.role).exists():
        instance.user.groups.remove(group_for(instance.role))
    forget_assignments(instance.user)
