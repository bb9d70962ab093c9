"""The errata part of the staff dashboard: new readers' reports to triage ("My tasks")."""

from django.urls import reverse
from django.utils.translation import gettext as _

from organisation.dashboard import Task, TaskGroup

from . import services


def my_tasks(user):
    """New reports of the regions where this user is in the LR QA pool."""
    tasks = [
        Task(
            title=report.page_title,
            url=reverse("errata:report", args=[report.pk]),
            reason=_("A reader reported: %(problem)s. Dismiss it or send the item back.")
            % {"problem": report.get_category_display()},
            date=report.created_at,
            date_label=_("reported"),
        )
        for report in services.waiting_for(user)
    ]
    return [
        TaskGroup.of(
            _("Problems reported by readers"),
            tasks,
            more_url=reverse("errata:reports"),
            order=150,
            key="errata-reports",
        )
    ]
