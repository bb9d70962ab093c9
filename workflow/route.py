"""The route of a submission through the offices, for showing where it is and who has it now.

Derived, not restated: the route is the path of the state machine's forward transitions (those
that do not send the submission back to its submitter) from the state where the submission's
origin enters (`ENTRY_STATE`), and its steps are the runs of states that wait for the same office
(`rules.ACTORS`). A district item's route is Division records → Division QA → Region records →
Regional QA → Publish; a division item enters at Division QA, a region item at Regional QA.
Before them all comes the submitter, who has the item while it is a draft or returned.
"""

from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisation.models import Level

from .models import EDITABLE_STATES, ENTRY_STATE, RESUBMIT_STATE, Journey, State
from .rules import (
    CLAIMANT,
    NOT_A_NEXT_STEP,
    QA_DIVISION,
    QA_REGION,
    RECORDS_DIVISION,
    RECORDS_REGION,
    REGIONAL_ALS,
    SUBMITTER,
    _actors,
)

# What each office's step is called on the route (an office the table does not name is shown by
# its role). Names only: which offices there are, and in which order, comes from the machine.
STEP_LABELS = {
    SUBMITTER: gettext_lazy("Submitter"),
    RECORDS_DIVISION: gettext_lazy("Division records"),
    QA_DIVISION: gettext_lazy("Division QA"),
    RECORDS_REGION: gettext_lazy("Region records"),
    QA_REGION: gettext_lazy("Regional QA"),
    REGIONAL_ALS: gettext_lazy("Publish"),
}


@dataclass
class Step:
    """One office on the route: who acts, in which states the item waits for them, and the
    transition that moves it on to the next office."""

    actor: object
    states: list = field(default_factory=list)
    leaves_by: str = ""

    @property
    def label(self):
        if self.actor in STEP_LABELS:
            return str(STEP_LABELS[self.actor])
        role, _level = self.actor
        return str(role.label)


def _forward(state):
    """The transition that moves a submission in `state` on to the next office, with its target:
    (name, target state) or None at the end of the route. Forward means the target is not a state
    in which the item is back with its submitter; giving a claim back is not a step."""
    for transition in Journey._meta.get_field("state").get_all_transitions(Journey):
        if transition.source != state or transition.name in NOT_A_NEXT_STEP:
            continue
        if transition.target not in EDITABLE_STATES:
            return transition.name, State(transition.target)
    return None


def _office(actor):
    """The (role, level) an actor stands for: the reviewer holding a claim acts for their pool."""
    if isinstance(actor, tuple) and actor and actor[0] == CLAIMANT:
        return actor[1]
    return actor


@cache
def route_steps(origin_level):
    """The steps of the route of a submission from `origin_level`, after the submitter's:
    [Step, ...]. Computed once per origin; do not modify the result."""
    steps = []
    state = ENTRY_STATE[origin_level]
    while (move := _forward(state)) is not None:
        name, target = move
        office = _office(_actors(name, state)[0])
        if not steps or steps[-1].actor != office:
            steps.append(Step(actor=office))
        steps[-1].states.append(state)
        steps[-1].leaves_by = name
        state = target
    return steps


@dataclass
class RouteStep:
    label: str
    status: str  # "done", "current" or "pending"

    @property
    def is_current(self):
        return self.status == "current"

    @property
    def is_done(self):
        return self.status == "done"


@dataclass
class Route:
    """Where one submission is on its route, for display."""

    steps: list
    state: str
    waiting_for: str = ""  # who has it now ("" when nobody: published)
    since: object = None  # since when (datetime)
    claimed_by: object = None
    claimed_at: object = None
    returns_to: str = ""  # for a returned item: the step its resubmission goes to
    published_at: object = None

    @property
    def current(self):
        return next((s for s in self.steps if s.is_current), None)


def office_name(actor, submission):
    """ "Records section, Benguet Schools Division Office": the role and the office of the
    submission it acts for."""
    role, level = actor
    if level == Level.DIVISION and submission.division_id:
        office = _("%(division)s Schools Division Office") % {"division": submission.division.name}
    else:
        office = _("%(region)s Regional Office") % {"region": submission.region.name}
    return _("%(role)s, %(office)s") % {"role": role.label, "office": office}


def _person(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _entered(history, states, fallback):
    """When the item last entered the run of `states` it is in now: the earliest record of the
    newest unbroken run of history rows that ended in one of them."""
    since = None
    for record in reversed(history):
        if record.to_state not in states:
            break
        since = record.at
    return since or fallback


def route_of(submission, history=None):
    """The submission's route with its position: the submitter's step, then the offices'.

    `history` (the submission's transition records, oldest first) may be passed in when the
    caller has them already. "Since" is read from the history: when the item came to the office
    that has it now."""
    journey = submission.journey
    state = State(journey.state)
    if history is None:
        history = list(submission.history.order_by("at", "pk"))
    offices = route_steps(submission.origin_level)
    route = Route(steps=[], state=state)

    if state in EDITABLE_STATES:
        # Back with the submitter (or never sent): the offices that passed it before it was
        # returned stay ticked; its resubmission goes back to the office that returned it.
        if state == State.DRAFT or state == State.WITHDRAWN:
            resume = ENTRY_STATE[submission.origin_level]
        else:
            resume = RESUBMIT_STATE.get(journey.returned_from, ENTRY_STATE[submission.origin_level])
        resume_index = next(
            (i for i, step in enumerate(offices) if resume in step.states), len(offices)
        )
        route.steps.append(RouteStep(str(STEP_LABELS[SUBMITTER]), "current"))
        for index, step in enumerate(offices):
            route.steps.append(RouteStep(step.label, "done" if index < resume_index else "pending"))
        route.waiting_for = _person(submission.created_by)
        route.since = _entered(history, {state}, submission.created_at)
        if state != State.DRAFT and resume_index < len(offices):
            route.returns_to = offices[resume_index].label
        return route

    route.steps.append(RouteStep(str(STEP_LABELS[SUBMITTER]), "done"))
    current = next((i for i, step in enumerate(offices) if state in step.states), None)
    for index, step in enumerate(offices):
        if current is None:  # published: every office has done its part
            status = "done"
        else:
            status = "done" if index < current else "current" if index == current else "pending"
        route.steps.append(RouteStep(step.label, status))
    if current is None:
        route.published_at = _entered(history, {state}, journey.state_changed_at)
        return route
    step = offices[current]
    route.waiting_for = office_name(step.actor, submission)
    route.since = _entered(history, set(step.states), journey.state_changed_at)
    if journey.claimed_by_id:
        route.claimed_by = _person(journey.claimed_by)
        route.claimed_at = _entered(history, {state}, journey.state_changed_at)
    return route
