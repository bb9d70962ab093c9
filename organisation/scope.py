"""One answer to "which org units may this user see or act on?".

A region-level assignment covers every division and district of that region; a division-level
assignment covers the division and its districts; a district-level assignment covers the district.
Superusers cover everything. Every list, API and permission check in the project asks this module.
"""

from dataclasses import dataclass

from django.db.models import Q

from .models import CommunityLearningCenter, District, Division, Level, Region, RoleAssignment
from .roles import LEARNER_DATA_ROLES


@dataclass(frozen=True)
class Scope:
    """The org units covered for one user (optionally counting only some of their roles)."""

    is_global: bool
    region_ids: frozenset
    division_ids: frozenset
    district_ids: frozenset

    @property
    def is_empty(self):
        return not (self.is_global or self.region_ids or self.division_ids or self.district_ids)

    def covers_division(self, division_or_id):
        """True when the whole division is in scope (region- or division-level assignment)."""
        division_id = getattr(division_or_id, "pk", division_or_id)
        return self.is_global or division_id in self.division_ids

    def covers_district(self, district_or_id):
        district_id = getattr(district_or_id, "pk", district_or_id)
        return self.is_global or district_id in self.district_ids

    def covers_region(self, region_or_id):
        region_id = getattr(region_or_id, "pk", region_or_id)
        return self.is_global or region_id in self.region_ids

    def regions(self):
        if self.is_global:
            return Region.objects.all()
        return Region.objects.filter(
            Q(pk__in=self.region_ids)
            | Q(divisions__pk__in=self.division_ids)
            | Q(divisions__districts__pk__in=self.district_ids)
        ).distinct()

    def divisions(self):
        """Divisions the user may see: those covered, plus the parents of covered districts."""
        if self.is_global:
            return Division.objects.all()
        return Division.objects.filter(
            Q(pk__in=self.division_ids) | Q(districts__pk__in=self.district_ids)
        ).distinct()

    def districts(self):
        if self.is_global:
            return District.objects.all()
        return District.objects.filter(pk__in=self.district_ids)

    def clcs(self):
        if self.is_global:
            return CommunityLearningCenter.objects.all()
        return CommunityLearningCenter.objects.filter(district_id__in=self.district_ids)

    def filter(self, queryset, *, division_field=None, district_field=None, region_field=None):
        """Restrict any queryset to this scope through the named lookups (e.g. "division")."""
        if self.is_global:
            return queryset
        condition = Q(pk__in=[])
        if region_field:
            condition |= Q(**{f"{region_field}__in": self.region_ids})
        if division_field:
            condition |= Q(**{f"{division_field}__in": self.division_ids})
        if district_field:
            condition |= Q(**{f"{district_field}__in": self.district_ids})
        return queryset.filter(condition)


EMPTY_SCOPE = Scope(False, frozenset(), frozenset(), frozenset())
GLOBAL_SCOPE = Scope(True, frozenset(), frozenset(), frozenset())


def assignments_for(user, roles=None):
    """The user's role assignments, cached on the user object for the length of a request."""
    if user is None or not user.is_authenticated:
        return []
    cache = user.__dict__.setdefault("_alsmis_assignments", None)
    if cache is None:
        cache = list(RoleAssignment.objects.filter(user=user).select_related("division"))
        user.__dict__["_alsmis_assignments"] = cache
    if roles is None:
        return cache
    roles = _role_set(roles)
    return [a for a in cache if a.role in roles]


def _role_set(roles):
    """`roles` (one role or several) as a frozenset."""
    return frozenset({roles} if isinstance(roles, str) else roles)


def forget_assignments(user):
    """Drop what `assignments_for` and `scope_for` cached on this user object."""
    for key in ("_alsmis_assignments", "_alsmis_scopes", "_alsmis_units_below"):
        user.__dict__.pop(key, None)


def scope_for(user, roles=None):
    """The org units this user may see or act on, counting only `roles` when given.

    Cached on the user object with its assignments (`assignments_for`): an admin page asks it
    for every menu item, panel and list it shows, with different roles.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    if user.is_superuser:
        return GLOBAL_SCOPE
    key = None if roles is None else _role_set(roles)
    scopes = user.__dict__.setdefault("_alsmis_scopes", {})
    if key not in scopes:
        scopes[key] = _scope_of(assignments_for(user, key), _units_below(user))
    return scopes[key]


def _units_below(user):
    """The divisions of the regions, and the districts of the divisions, that the user's
    assignments name (whatever the role): ({region id: division ids}, {division id: district
    ids}), two queries at most, cached on the user object."""
    units = user.__dict__.get("_alsmis_units_below")
    if units is None:
        assignments = assignments_for(user)
        divisions_of = {a.region_id: set() for a in assignments if a.level == Level.REGION}
        if divisions_of:
            for pk, region_id in Division.objects.filter(region_id__in=divisions_of).values_list(
                "pk", "region_id"
            ):
                divisions_of[region_id].add(pk)
        named = {a.division_id for a in assignments if a.level == Level.DIVISION}
        districts_of = {pk: set() for pk in named.union(*divisions_of.values())}
        if districts_of:
            for pk, division_id in District.objects.filter(
                division_id__in=districts_of
            ).values_list("pk", "division_id"):
                districts_of[division_id].add(pk)
        units = user.__dict__["_alsmis_units_below"] = (divisions_of, districts_of)
    return units


def _scope_of(assignments, units_below):
    divisions_of, districts_of = units_below
    region_ids = {a.region_id for a in assignments if a.level == Level.REGION}
    division_ids = {a.division_id for a in assignments if a.level == Level.DIVISION}
    district_ids = {a.district_id for a in assignments if a.level == Level.DISTRICT}
    for region_id in region_ids:
        division_ids |= divisions_of[region_id]
    for division_id in division_ids:
        district_ids |= districts_of[division_id]
    return Scope(False, frozenset(region_ids), frozenset(division_ids), frozenset(district_ids))


def has_role(user, role, *, level=None):
    """Whether the user holds `role` anywhere (at `level` when given)."""
    return any(level is None or a.level == level for a in assignments_for(user, role))


def roles_of(user):
    """The set of role values this user holds anywhere."""
    return {a.role for a in assignments_for(user)}


def learner_data_scope(user):
    """The units where the user holds a learner-data role (organisation.roles.LEARNER_DATA_ROLES)."""
    return scope_for(user, LEARNER_DATA_ROLES)


def users_covering(roles, *, region=None, division=None, district=None):
    """Active users holding one of `roles` in a way that covers the unit (the inverse of
    `scope_for`): a region-level assignment covers its divisions and districts, a division-level
    one its districts. Give one unit; superusers, who cover everything, are not listed."""
    from django.contrib.auth import get_user_model

    roles = [roles] if isinstance(roles, str) else list(roles)
    condition = Q(pk__in=[])
    if district is not None:
        district = district if isinstance(district, District) else District.objects.get(pk=district)
        condition |= Q(district=district)
        division = district.division
    if division is not None:
        division = division if isinstance(division, Division) else Division.objects.get(pk=division)
        condition |= Q(division=division)
        region = division.region_id
    if region is not None:
        condition |= Q(region_id=getattr(region, "pk", region))
    assignments = RoleAssignment.objects.filter(condition, role__in=roles)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=assignments.values("user_id"))
        .order_by("last_name", "first_name", "username")
    )
