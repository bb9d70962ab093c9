"""Multi-step operations on the organisation."""

from django.db import transaction

from .models import District, Division, Region, RoleAssignment


@transaction.atomic
def assign_role(user, role, unit):
    """Give `user` the `role` at `unit` (a Region, Division or District); validated and idempotent."""
    unit_field = {Region: "region", Division: "division", District: "district"}[type(unit)]
    assignment = RoleAssignment(user=user, role=role, **{unit_field: unit})
    assignment.full_clean(validate_unique=False, validate_constraints=False)
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, **{unit_field: unit}
    )
    return assignment
