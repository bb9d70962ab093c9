"""E-mail about learner transfers, sent from the background worker (learners.tasks).

Messages name the learner by LRN and name only: the two divisions' focal persons may both see
those. Nothing else of the record goes into a message.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from organisation.models import Role

from .models import TransferRequest


def _holders(role, *, division_ids=(), region_ids=()):
    """E-mail addresses of active users holding ``role`` at one of these divisions or regions."""
    where = Q(role_assignments__division_id__in=division_ids) | Q(
        role_assignments__region_id__in=region_ids
    )
    users = get_user_model().objects.filter(Q(role_assignments__role=role) & where, is_active=True)
    return set(users.exclude(email="").values_list("email", flat=True))


def recipients_for(transfer, event):
    """Both divisions' focal persons always; the region's ALS personnel when it must decide;
    the requester when the request is answered."""
    divisions = (transfer.from_division_id, transfer.to_division_id)
    recipients = _holders(Role.DIVISION_FOCAL, division_ids=divisions)
    if event == "escalate":
        recipients |= _holders(Role.REGIONAL_ALS, region_ids=[transfer.from_division.region_id])
    requester = transfer.requested_by
    if event != "request" and requester is not None and requester.is_active and requester.email:
        recipients.add(requester.email)
    return sorted(recipients)


def message(transfer, event):
    """Subject and body of the notice for ``event`` on ``transfer``."""
    learner = transfer.learner
    what = {
        "request": _("%(to)s requests the transfer of a learner held by %(from)s."),
        "accept": _("%(from)s accepted the transfer of a learner to %(to)s."),
        "decline": _("%(from)s declined the transfer of a learner to %(to)s."),
        "escalate": _(
            "%(from)s did not answer %(to)s's transfer request in time; regional ALS personnel "
            "now decide."
        ),
        "approve": _("The region approved the transfer of a learner from %(from)s to %(to)s."),
        "refuse": _("The region refused the transfer of a learner from %(from)s to %(to)s."),
        "cancel": _("%(to)s cancelled its transfer request to %(from)s."),
    }[event] % {"from": transfer.from_division.name, "to": transfer.to_division.name}
    lines = [
        what,
        _("Learner: LRN %(lrn)s, %(name)s.") % {"lrn": learner.lrn, "name": learner.full_name},
        _("State: %(state)s.") % {"state": transfer.get_state_display()},
    ]
    if event in ("decline", "refuse") and transfer.note:
        lines.append(_("Reason: %s") % transfer.note)
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "learners:transfer", args=[transfer.pk]
    )
    lines.append(_("Open it in ALS MIS: %s") % link)
    subject = _("[ALS MIS] Learner transfer %(state)s: %(from)s → %(to)s") % {
        "state": transfer.get_state_display().lower(),
        "from": transfer.from_division.name,
        "to": transfer.to_division.name,
    }
    return subject, "\n\n".join(lines)


def send_transfer_notice(transfer_id, event):
    """Send the notice; returns the number of messages sent (0 when nobody is to be told)."""
    transfer = (
        TransferRequest.objects.select_related(
            "learner", "from_division", "to_division", "requested_by"
        )
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        return 0
    recipients = recipients_for(transfer, event)
    if not recipients:
        return 0
    subject, body = message(transfer, event)
    return send_mail(subject, body, None, recipients, fail_silently=False)
