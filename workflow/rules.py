"""Who may take which transition on which submission (role + scope + the actor's relation to it).

One table, `ACTORS`, says for every transition and source state which role, held at which level
for the submission's own division or region, may act; "submitter" and "claimant" add the actor's
relation to the submission. `may_perform` is both django-fsm's `permission=` check (so
`has_transition_perm` answers the UI) and what `perform_transition` enforces.
"""

from django.db.models import Q

from organisation.models import Level, Role
from organisation.scope import assignments_for, scope_for

from .models import State

S = State
SUBMITTER = "submitter"
CLAIMANT = "claimant"

RECORDS_DIVISION = (Role.RECORDS_SECTION, Level.DIVISION)
RECORDS_REGION = (Role.RECORDS_SECTION, Level.REGION)
QA_DIVISION = (Role.LR_QA_REVIEWER, Level.DIVISION)
QA_REGION = (Role.LR_QA_REVIEWER, Level.REGION)
REGIONAL_ALS = (Role.REGIONAL_ALS, Level.REGION)
SYSADMIN = (Role.SYSTEM_ADMINISTRATOR, Level.REGION)

# transition -> {source state (or None for any source): [actor, ...]}; an actor is a
# (role, level) pair, SUBMITTER, or (CLAIMANT, (role, level)) for "the reviewer holding the claim".
ACTORS = {
    "submit": {None: [SUBMITTER]},
    "resubmit": {None: [SUBMITTER]},
    "receive_at_division": {None: [RECORDS_DIVISION]},
    "return_incomplete": {S.SUBMITTED: [RECORDS_DIVISION], S.ENDORSED_TO_REGION: [RECORDS_REGION]},
    "claim_division_review": {None: [QA_DIVISION]},
    "claim_regional_review": {None: [QA_REGION]},
    "release_claim": {
        S.UNDER_DIVISION_REVIEW: [(CLAIMANT, QA_DIVISION), SYSADMIN],
        S.UNDER_REGIONAL_REVIEW: [(CLAIMANT, QA_REGION), SYSADMIN],
    },
    "return_for_revision": {
        S.UNDER_DIVISION_REVIEW: [(CLAIMANT, QA_DIVISION)],
        S.UNDER_REGIONAL_REVIEW: [(CLAIMANT, QA_REGION)],
    },
    "endorse_to_region": {None: [(CLAIMANT, QA_DIVISION)]},
    "receive_at_region": {None: [RECORDS_REGION]},
    "approve": {None: [(CLAIMANT, QA_REGION)]},
    "publish": {None: [REGIONAL_ALS, SYSADMIN]},
    "withdraw": {None: [REGIONAL_ALS, SYSADMIN]},
}

# Roles that see submissions of their whole scope (teachers see only their own).
STAFF_ROLES = [r for r in Role if r != Role.ALS_TEACHER]


def holds(user, role, level, submission):
    """Whether the user holds `role` at `level` for the submission's own division or region."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for assignment in assignments_for(user, role):
        if assignment.level != level:
            continue
        if level == Level.DIVISION and submission.division_id is not None:
            if assignment.division_id == submission.division_id:
                return True
        elif level == Level.REGION and assignment.region_id == submission.region_id:
            return True
    return False


def is_submitter(user, submission):
    """The author of the submission, or who may act for its origin office: any EPSA of the
    division for division-origin items, regional ALS personnel or the system administrator for
    region-origin items."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or submission.created_by_id == user.pk:
        return True
    if submission.origin_level == Level.DIVISION:
        return holds(user, Role.EPSA, Level.DIVISION, submission)
    if submission.origin_level == Level.REGION:
        return holds(user, *REGIONAL_ALS, submission) or holds(user, *SYSADMIN, submission)
    return False


def _actor_matches(user, journey, actor, *, ignore_claim=False):
    submission = journey.submission
    if actor == SUBMITTER:
        return is_submitter(user, submission)
    if actor[0] == CLAIMANT:
        role, level = actor[1]
        if not holds(user, role, level, submission):
            return False
        return ignore_claim or journey.claimed_by_id == user.pk
    role, level = actor
    return holds(user, role, level, submission)


def _actors(name, state):
    table = ACTORS[name]
    return table.get(state, table.get(None, []))


def may_perform(user, journey, name):
    """Whether `user` may take transition `name` from the journey's current state."""
    return any(_actor_matches(user, journey, actor) for actor in _actors(name, journey.state))


def could_ever_perform(user, journey, name):
    """Whether the user's roles reach this transition on this submission in some state (used to
    tell "not yours" (403) from "not now" (409))."""
    for actors in ACTORS[name].values():
        for actor in actors:
            if _actor_matches(user, journey, actor, ignore_claim=True):
                return True
    return False


def visibility_q(user):
    """A Q over Submission for what the user may see in the staff UI and the API.

    Their own submissions always; for staff roles every non-draft submission in their scope, plus
    drafts they could submit on behalf of their office (division or region origin).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    condition = Q(created_by=user)
    staff_scope = scope_for(user, STAFF_ROLES)
    if not staff_scope.is_empty:
        in_scope = Q(division_id__in=staff_scope.division_ids) | Q(
            region_id__in=staff_scope.region_ids
        )
        condition |= in_scope & ~Q(journey__state=S.DRAFT)
    epsa_divisions = [a.division_id for a in assignments_for(user, Role.EPSA) if a.division_id]
    if epsa_divisions:
        condition |= Q(origin_level=Level.DIVISION, division_id__in=epsa_divisions)
    office_regions = [
        a.region_id
        for a in assignments_for(user, [Role.REGIONAL_ALS, Role.SYSTEM_ADMINISTRATOR])
        if a.region_id
    ]
    if office_regions:
        condition |= Q(origin_level=Level.REGION, region_id__in=office_regions)
    return condition
