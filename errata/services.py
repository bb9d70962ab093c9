"""Filing, triaging and closing readers' reports (the views and the signal receiver call these).

Who triages: the region's LR QA pool, the role that `workflow.rules` names for
`request_correction` (`QA_REGION`), for the report's own region. A report is dismissed with a
note, or joins the correction of its item: the first one opens it, taking the workflow's
`request_correction` transition (the item goes back to its submitter, and through regional QA
again); later reports of the same item join the correction under way. When the corrected
version is published (`correction_published`, on the workflow's `publish`), the correction's
note becomes public and every reader who left an email is told.
"""

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alsmis.tasks import send_email
from organisation.scope import scope_for, users_covering
from workflow.rules import QA_REGION, holds
from workflow.services import perform_transition

from .models import Correction, ProblemReport, Status

TRIAGE_ROLE, TRIAGE_LEVEL = QA_REGION


class TriageRefused(Exception):
    """A triage action that cannot be taken; `.status_code` (403, 409, 400) and `.message`."""

    def __init__(self, message, status_code=409):
        self.message = str(message)
        self.status_code = status_code
        super().__init__(self.message)


NOT_YOURS = gettext_lazy("Only the region's LR QA reviewers triage this report.")
ALREADY_TRIAGED = gettext_lazy("This report was already triaged.")


def may_triage(user, submission):
    """Whether the user is in the LR QA pool of the submission's region."""
    return holds(user, TRIAGE_ROLE, TRIAGE_LEVEL, submission)


def reports_visible_to(user):
    """The reports of the regions where the user is in the LR QA pool (all for a superuser)."""
    scope = scope_for(user, [TRIAGE_ROLE])
    if scope.is_global:
        reports = ProblemReport.objects.all()
    else:
        reports = ProblemReport.objects.filter(region_id__in=scope.region_ids)
    return reports.select_related("submission", "region", "division", "correction")


def waiting_for(user):
    """New reports this user may triage, oldest first ("My tasks")."""
    return reports_visible_to(user).filter(status=Status.NEW).order_by("created_at")


def file_report(
    *,
    submission,
    page_id,
    page_url,
    page_title,
    category,
    description,
    email="",
    submission_file=None,
):
    """Record a reader's report and tell the region's LR QA pool (after the commit)."""
    report = ProblemReport.objects.create(
        submission=submission,
        page_id=page_id,
        page_url=page_url[:500],
        page_title=page_title[:255],
        submission_file=submission_file,
        file_name=submission_file.original_name[:255] if submission_file else "",
        file_version=submission_file.version if submission_file else None,
        category=category,
        description=description,
        email=email,
        language=(translation.get_language() or settings.LANGUAGE_CODE)[:10],
        region_id=submission.region_id,
        division_id=submission.division_id,
    )
    pool = users_covering([TRIAGE_ROLE], region=submission.region_id).exclude(email="")
    recipients = list(pool.values_list("email", flat=True))
    if recipients:
        subject = _("[ALS MIS] A reader reported a problem: %(title)s") % {
            "title": report.page_title[:120]
        }
        body = "\n\n".join(
            [
                _("A reader reported a problem on “%(title)s” (%(url)s).")
                % {"title": report.page_title, "url": report.page_url},
                _("Problem: %s") % report.get_category_display(),
                _("File: %s") % (_file_label(report) or _("the page itself")),
                report.description,
                _("Triage it in ALS MIS: %s") % _admin_url("errata:report", report.pk),
            ]
        )
        transaction.on_commit(lambda: send_email.enqueue(subject, body, recipients))
    return report


def _file_label(report):
    if not report.file_name:
        return ""
    return _("%(name)s (version %(version)s)") % {
        "name": report.file_name,
        "version": report.file_version,
    }


def _admin_url(name, *args):
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    try:
        return base + reverse(name, args=args)
    except NoReverseMatch:
        return base + reverse("wagtailadmin_home")


def _check_triage(user, report):
    if not may_triage(user, report.submission):
        raise TriageRefused(NOT_YOURS, 403)
    if report.status != Status.NEW:
        raise TriageRefused(ALREADY_TRIAGED, 409)


def _tell_reader(report, subject, lines):
    """Queue an email to the reader who left an address, in the language they reported in."""
    if not report.email:
        return
    with translation.override(report.language):
        subject_text = str(subject) % {"title": report.page_title[:120]}
        body = "\n\n".join(str(line) for line in lines(report))
    email = report.email
    transaction.on_commit(lambda: send_email.enqueue(subject_text, body, [email]))


@transaction.atomic
def dismiss(user, report, note):
    """Close the report without a change; `note` (required) is sent to the reader."""
    report = (
        ProblemReport.objects.select_for_update().select_related("submission").get(pk=report.pk)
    )
    _check_triage(user, report)
    note = (note or "").strip()
    if not note:
        raise TriageRefused(_("Write a note saying why the report is dismissed."), 400)
    report.status = Status.DISMISSED
    report.triage_note = note
    report.triaged_by = user
    report.triaged_at = timezone.now()
    report.save(update_fields=["status", "triage_note", "triaged_by", "triaged_at"])
    _tell_reader(
        report,
        gettext_lazy("[ALS MIS] Your report on “%(title)s”"),
        lambda r: [
            _("Thank you for your report on “%(title)s” (%(url)s).")
            % {"title": r.page_title, "url": r.page_url},
            _("The region's quality-assurance team looked at it and will not change the item:"),
            r.triage_note,
        ],
    )
    return report


def open_correction(user, report, *, public_note, message):
    """Send the report's item back for a correction, or join the correction under way.

    The first report opens it: the workflow's `request_correction` (the item goes back to its
    submitter with `message`, then through regional QA again; the page stays up meanwhile).
    `public_note` is what the item's page will say once the corrected version is published.
    Workflow refusals (`workflow.exceptions.WorkflowError`) propagate with their status codes.
    """
    public_note = (public_note or "").strip()
    message = (message or "").strip()
    with transaction.atomic():
        report = (
            ProblemReport.objects.select_for_update().select_related("submission").get(pk=report.pk)
        )
        _check_triage(user, report)
        submission = report.submission
        correction = Correction.objects.filter(
            submission=submission, published_at__isnull=True
        ).first()
        if correction is None:
            if not public_note:
                raise TriageRefused(_("Say what will change, for the public note."), 400)
            if not message:
                raise TriageRefused(_("Tell the submitter what to correct."), 400)
            perform_transition(user, submission, "request_correction", comment=message, reasons=[])
            correction = Correction.objects.create(
                submission=submission, public_note=public_note[:300], opened_by=user
            )
        report.status = Status.IN_REVISION
        report.correction = correction
        report.triage_note = message
        report.triaged_by = user
        report.triaged_at = timezone.now()
        report.save(
            update_fields=["status", "correction", "triage_note", "triaged_by", "triaged_at"]
        )
    return report


def correction_published(submission):
    """The corrected version of `submission` was published: date the correction under way, mark
    its reports corrected and tell their readers. Called inside the `publish` transition."""
    correction = (
        Correction.objects.select_for_update()
        .filter(submission=submission, published_at__isnull=True)
        .first()
    )
    if correction is None:
        return None
    correction.published_at = timezone.now()
    correction.save(update_fields=["published_at"])
    for report in correction.reports.all():
        report.status = Status.CORRECTED
        report.save(update_fields=["status"])
        _tell_reader(
            report,
            gettext_lazy("[ALS MIS] Corrected: “%(title)s”"),
            lambda r: [
                _("Thank you for your report on “%(title)s”. A corrected version is now published:")
                % {"title": r.page_title},
                r.page_url,
                _("What changed: %s") % correction.public_note,
            ],
        )
    return correction


def public_corrections(submission_id):
    """The published corrections of a submission, newest first (for the item's page)."""
    return list(
        Correction.objects.filter(submission_id=submission_id, published_at__isnull=False)
        .order_by("-published_at")
        .only("public_note", "published_at")
    )
