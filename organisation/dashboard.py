"""What the staff dashboard gathers from every app: "My tasks" and the role shortcuts.

Apps above this one (workflow, learners, snapshots) must not import each other, yet one panel
shows all their tasks. So each app registers providers under two Wagtail hook names:

- ``register_my_tasks``: a function ``(user) -> list of TaskGroup``, what waits on this user;
- ``register_role_shortcuts``: a function ``(user) -> list of Shortcut``, the links this user may
  use (each provider asks its own app's permission rules, so a link is never offered to someone
  who would be refused).

workflow's "My tasks" panel shows every group; this app's "Shortcuts" panel every shortcut.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

MY_TASKS_HOOK = "register_my_tasks"
SHORTCUTS_HOOK = "register_role_shortcuts"


@dataclass(frozen=True)
class Task:
    """One thing waiting on the user: a link, a one-line reason and the date it is about."""

    title: str
    url: str
    reason: str
    date: datetime.date | datetime.datetime | None = None
    overdue: bool = False
    # What the date is, shown before it: "submitted", "due", "requested"...
    date_label: str = ""


#: Tasks a group shows; the rest are behind its link to the full list.
GROUP_LIMIT = 10


@dataclass(frozen=True)
class TaskGroup:
    """Tasks of one kind ("Snapshots to review"), with a link to the full list when cut short."""

    heading: str
    tasks: list = field(default_factory=list)
    total: int = 0
    more_url: str = ""
    order: int = 100
    key: str = ""

    @classmethod
    def of(cls, heading, tasks, *, more_url="", order=100, key="", limit=GROUP_LIMIT):
        """A group of the first `limit` of `tasks` (a list), knowing how many there are."""
        return cls(heading, list(tasks[:limit]), len(tasks), more_url, order, key)

    @property
    def cut_short(self):
        return self.total > len(self.tasks) and bool(self.more_url)

    @property
    def overdue_count(self):
        return sum(1 for task in self.tasks if task.overdue)


@dataclass(frozen=True)
class Shortcut:
    """A dashboard link to a screen the user may use ("Upload an AF form")."""

    label: str
    url: str
    icon: str = "arrow-right"
    order: int = 100
    key: str = ""


def task_groups_for(user):
    """Every app's non-empty task groups for this user, in their order."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    groups = []
    for provider in hooks.get_hooks(MY_TASKS_HOOK):
        groups.extend(group for group in provider(user) if group.tasks)
    return sorted(groups, key=lambda group: group.order)


def shortcuts_for(user):
    """Every app's shortcuts for this user, in their order."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    shortcuts = []
    for provider in hooks.get_hooks(SHORTCUTS_HOOK):
        shortcuts.extend(provider(user))
    return sorted(shortcuts, key=lambda shortcut: shortcut.order)


class ShortcutsPanel(Component):
    """The dashboard's "Shortcuts": the first steps of this user's roles, one click away."""

    name = "role_shortcuts"
    template_name = "organisation/panels/shortcuts.html"
    order = 40
    heading = _("Shortcuts")

    class Media:
        css = {"all": ["css/admin-dashboard.css"]}

    def __init__(self, shortcuts):
        self.shortcuts = shortcuts

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["shortcuts"] = self.shortcuts
        return context
