"""Who may monitor the submission flow, and over which units.

The roles that oversee the flow (docs/monitoring.md): at the region, regional ALS personnel (who
"monitor uploaded data", RM 689 s. 2024) and the system administrator; in a division, the EPSA and
the division ALS focal person (who answers for the division's data and its timeliness). Their
units come from `organisation.scope` like every other list: a region-level role covers the
regional office and every division, a division-level role its own division.
"""

from organisation.models import Role
from organisation.scope import scope_for

MONITORING_ROLES = (
    Role.REGIONAL_ALS,
    Role.SYSTEM_ADMINISTRATOR,
    Role.EPSA,
    Role.DIVISION_FOCAL,
)


def monitoring_scope(user):
    """The units this user may monitor (empty when they hold no monitoring role)."""
    return scope_for(user, MONITORING_ROLES)


def may_monitor(user):
    """Whether the user may open the monitoring dashboard at all."""
    return not monitoring_scope(user).is_empty
