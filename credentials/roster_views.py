"""Staff views of "Micro-credentials → Prepare an award batch": the form with the awardees list,
then the preview of every row (credentials.roster), then Confirm → the batch page.

Between the upload and the confirmation the file's bytes are kept on the server, encrypted with
the learners' data keys (learners.crypto), in the shared cache for PENDING_SECONDS under a random
token that only this session knows; the browser holds nothing but the token. Confirming reads the
kept file again and previews it afresh, so the registry's state at that moment decides.
"""

import datetime
import io
import secrets

from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from learners.crypto import fernet
from organisation.models import Division
from organisation.scope import scope_for
from snapshots.readers import UnreadableFile

from . import roster, services
from .models import Achievement
from .roster_forms import PrepareBatchForm

SESSION_KEY = "credentials_roster"
#: How long an uploaded list waits for its confirmation (seconds).
PENDING_SECONDS = 3600


def preparable_divisions(user):
    """The divisions the user may prepare award batches for (credentials.services.may_prepare)."""
    divisions = scope_for(user).divisions().select_related("region").order_by("name")
    return Division.objects.filter(
        pk__in=[d.pk for d in divisions if services.may_prepare(user, d)]
    ).order_by("name")


def _cache_key(user, token):
    return f"credentials-roster:{user.pk}:{token}"


def _keep(request, upload_bytes, details):
    """Keep an uploaded list for its confirmation; returns its token. A session keeps one list:
    a new upload replaces the one before."""
    _discard(request)
    token = secrets.token_urlsafe(16)
    caches["shared"].set(
        _cache_key(request.user, token), fernet().encrypt(upload_bytes), PENDING_SECONDS
    )
    request.session[SESSION_KEY] = {"token": token, **details}
    return token


def _discard(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        caches["shared"].delete(_cache_key(request.user, pending["token"]))


def _pending(request, token):
    """(details, file bytes) of this session's kept list with this token, or None."""
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(pending["token"], token):
        return None
    kept = caches["shared"].get(_cache_key(request.user, token))
    if kept is None:
        return None
    return pending, fernet().decrypt(kept)


class RosterPage(WagtailAdminTemplateMixin, TemplateView):
    """Base: Wagtail's furniture, for whoever may prepare a batch somewhere."""

    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not services.may_prepare_somewhere(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class PrepareBatchView(RosterPage):
    """The recognition day (division, micro-credentials, date, venue, signatories) and the file."""

    template_name = "credentials/roster/prepare.html"
    page_title = gettext_lazy("Prepare an award batch")
    header_icon = "upload"

    def form(self, data=None, files=None, initial=None):
        return PrepareBatchForm(
            data, files, initial=initial, divisions=preparable_divisions(self.request.user)
        )

    def get(self, request):
        # "Upload a corrected file" from a preview starts from that preview's details.
        pending = request.session.get(SESSION_KEY)
        initial = None
        if pending and request.GET.get("again") == pending["token"]:
            initial = {
                "division": pending["division"],
                "achievements": pending["achievements"],
                "ceremony_date": pending["ceremony_date"],
                "venue": pending["venue"],
            }
            for index, signatory in enumerate(pending["signatories"], start=1):
                initial[f"signatory_{index}_name"] = signatory["name"]
                initial[f"signatory_{index}_position"] = signatory["position"]
        return self.render_to_response(self.get_context_data(form=self.form(initial=initial)))

    def post(self, request):
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(roster.max_bytes() + 1)
            try:
                roster.read_roster(io.BytesIO(content), upload.name)
            except UnreadableFile as error:
                form.add_error("file", str(error))
            else:
                data = form.cleaned_data
                token = _keep(
                    request,
                    content,
                    {
                        "name": upload.name[:255],
                        "division": data["division"].pk,
                        "achievements": [a.pk for a in data["achievements"]],
                        "ceremony_date": data["ceremony_date"].isoformat(),
                        "venue": data["venue"],
                        "signatories": data["signatories"],
                    },
                )
                return redirect("credentials:prepare_preview", token=token)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RosterTemplateView(RosterPage):
    """The awardees list's header row as a .csv to fill in."""

    def get(self, request):
        response = HttpResponse(
            ",".join(roster.HEADERS) + "\r\n", content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="awardees-template.csv"'
        return response


class PreviewBatchView(RosterPage):
    """Every row of the kept list with its kind, the decisions it needs, and Confirm."""

    template_name = "credentials/roster/preview.html"
    page_title = gettext_lazy("Prepare an award batch: check the list")

    def load(self, token):
        found = _pending(self.request, token)
        if found is None:
            return None
        details, content = found
        user = self.request.user
        division = preparable_divisions(user).filter(pk=details["division"]).first()
        if division is None:
            raise PermissionDenied
        self.details = details
        self.division = division
        self.achievements = list(Achievement.objects.filter(pk__in=details["achievements"]))
        try:
            rows = roster.read_roster(io.BytesIO(content), details["name"])
        except UnreadableFile:  # the same bytes read at the upload: only a changed limit
            raise Http404 from None
        self.rows = roster.preview(rows, division, user)
        return self.rows

    def expired(self):
        messages.warning(
            self.request,
            _("That list is no longer waiting for confirmation; upload it again."),
        )
        return redirect("credentials:prepare")

    def get(self, request, token):
        if self.load(token) is None:
            return self.expired()
        return self.render_to_response(self.get_context_data(token=token))

    def post(self, request, token):
        if self.load(token) is None:
            return self.expired()
        decisions = {
            row.number: request.POST.get(f"row-{row.number}", "")
            for row in self.rows
            if row.needs_decision
        }
        details = self.details
        try:
            batch = roster.confirm(
                request.user,
                division=self.division,
                achievements=self.achievements,
                ceremony_date=datetime.date.fromisoformat(details["ceremony_date"]),
                venue=details["venue"],
                signatories=details["signatories"],
                rows=self.rows,
                decisions=decisions,
                source_name=details["name"],
            )
        except roster.RosterRefused as error:
            context = self.get_context_data(
                token=token, error=error.message, problems=dict(error.problems), decisions=decisions
            )
            return self.render_to_response(context, status=400)
        except services.CredentialError as error:
            context = self.get_context_data(token=token, error=str(error), decisions=decisions)
            return self.render_to_response(context, status=getattr(error, "status_code", 400))
        except ValidationError as error:
            context = self.get_context_data(
                token=token, error=" ".join(error.messages), decisions=decisions
            )
            return self.render_to_response(context, status=400)
        _discard(request)
        messages.success(
            request,
            _("The award batch is prepared with %(count)s learners; it now awaits approval.")
            % {"count": len(self.rows)},
        )
        return redirect("credentials:batch", batch.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decisions = kwargs.get("decisions") or {}
        problems = kwargs.get("problems") or {}
        counts = roster.counts(self.rows)
        context.update(
            details=self.details,
            division=self.division,
            achievements=self.achievements,
            rows=[
                {
                    "row": row,
                    "decision": decisions.get(row.number, ""),
                    "problem": problems.get(row.number, ""),
                }
                for row in self.rows
            ],
            counts=[(kind, roster.KIND_LABELS[kind], counts[kind]) for kind in roster.KINDS],
            refused=counts[roster.REFUSED],
            again_url=reverse("credentials:prepare") + "?again=" + kwargs["token"],
            KEEP_REGISTRY=roster.KEEP_REGISTRY,
            PRINT_FILE=roster.PRINT_FILE,
            REGISTER_NEW=roster.REGISTER_NEW,
        )
        return context
