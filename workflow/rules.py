"""Who may take which transition on which submission (role + scope + the actor's relation to it).

One table, `ACTORS`, says for every transition and source state which role, held at which level
for the submission's own division or region, may act; "submitter" and "claimant" add the actor's
relation to the submission. `may_perform` is both django-fsm's `permission=` check (so
`has_transition_perm` answers the UI) and what `perform_transition` enforces. `tasks_q` ("My
tasks") is the query form of the same table over the steps each state waits for.
"""

from functools import cache

from django.db.models import Q

from organisation.models import Level, Role
from organisation.scope import assignments_for, scope_for

from .models import Journey, State

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
    # Until the records section receives it; after the receipt the offices hold it.
    "recall": {S.SUBMITTED: [SUBMITTER]},
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
    # The regional QA pool triages readers' reports on published items (errata/).
    "request_correction": {None: [QA_REGION]},
}

# Who acts for the office a submission comes from (besides its author), by origin level.
OFFICE_ACTORS = {
    Level.DIVISION: [(Role.EPSA, Level.DIVISION)],
    Level.REGION: [REGIONAL_ALS, SYSADMIN],
}

# Where nobody is waiting, although ACTORS allows a transition: a published or withdrawn
# submission rests (withdrawing it, or resubmitting it after a withdrawal, is a choice, not a
# step anyone waits for); giving a claimed review back to the pool is a way out, not the step
# the claim waits for (the system administrator may do it for anyone); and so is the submitter
# recalling a submission the records section has not received yet.
AT_REST = {S.PUBLISHED, S.WITHDRAWN}
NOT_A_NEXT_STEP = {"release_claim", "recall"}

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
    office = OFFICE_ACTORS.get(submission.origin_level, [])
    return any(holds(user, role, level, submission) for role, level in office)


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


@cache
def next_steps():
    """{state: [transition name, ...]}: the transitions a submission in each state waits for,
    read from the state machine's own transitions (states at rest have none). Do not modify it:
    it is computed once."""
    steps = {}
    for transition in Journey._meta.get_field("state").get_all_transitions(Journey):
        if transition.source in AT_REST or transition.name in NOT_A_NEXT_STEP:
            continue
        names = steps.setdefault(State(transition.source), [])
        if transition.name not in names:
            names.append(transition.name)
    return steps


def waiting_actors(state):
    """The actors a submission in `state` waits for: ACTORS of its next steps."""
    actors = []
    for name in next_steps().get(state, []):
        actors += [actor for actor in _actors(name, state) if actor not in actors]
    return actors


def _holds_q(user, role, level):
    """The query form of `holds`: a Q over Submission for the units where the user holds `role`
    at `level`."""
    if user.is_superuser:
        return Q()
    field = "division_id" if level == Level.DIVISION else "region_id"
    units = sorted(
        {getattr(a, field) for a in assignments_for(user, role) if a.level == level} - {None}
    )
    return Q(**{f"{field}__in": units})


def _office_q(user):
    """Submissions whose origin office the user acts for (OFFICE_ACTORS)."""
    condition = Q(pk__in=[])
    for origin, office in OFFICE_ACTORS.items():
        for role, level in office:
            condition |= Q(origin_level=origin) & _holds_q(user, role, level)
    return condition


def _actor_q(user, actor):
    """The query form of `_actor_matches`: a Q over Submission on which `actor` is this user."""
    if actor == SUBMITTER:
        if user.is_superuser:
            # A superuser may act for any office, but only their own drafts wait on them.
            return Q(created_by=user)
        return Q(created_by=user) | _office_q(user)
    if actor[0] == CLAIMANT:
        return Q(journey__claimed_by=user) & _holds_q(user, *actor[1])
    return _holds_q(user, *actor)


def tasks_q(user):
    """A Q over Submission for what waits on this user or on a pool they belong to: submissions
    in a state whose next step (`next_steps`) ACTORS lets the user take."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    states_by_actor = {}
    for state in next_steps():
        for actor in waiting_actors(state):
            states_by_actor.setdefault(actor, []).append(state)
    condition = Q(pk__in=[])
    for actor, states in states_by_actor.items():
        condition |= Q(journey__state__in=states) & _actor_q(user, actor)
    return condition


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
    return condition | _office_q(user)
