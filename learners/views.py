"""Wagtail admin views: the enrolment flow of seed 001, merging records, and the access log.

Every view checks the permission and the user's scope; every page that shows a learner's personal
data writes a ``LearnerAccessLog`` row. The rules live in ``learners.services``.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from organisation.scope import scope_for

from . import duplicates, services, transfers
from .forms import (
    AccessLogFilterForm,
    ConfirmSourceForm,
    EnrolmentForm,
    LearnerForm,
    LearnerSearchForm,
    MergeForm,
    NewLearnerForm,
    TransferAnswerForm,
    TransferRequestForm,
)
from .models import Enrolment, Learner, LearnerAccessLog, SchoolYearCycle, TransferState
from .vocab import CivilStatus, Sex

ADMIN = LearnerAccessLog.Channel.ADMIN
SOURCE_CONFIRMED = "learners_source_confirmed"
LRN_FOUND = "learners_lrn_found"
LISTED_FIELDS = ["lrn", "name", "sex", "birthdate"]
DUPLICATE_FIELDS = ["lrn", "name", "birthdate"]


def _log_listed(user, learners, fields=LISTED_FIELDS):
    """Log that these learners' names appeared on a page (search results, near matches)."""
    services.log_shown(user, learners, fields, ADMIN)


def learner_details(learner):
    """(label, value) rows of every AF2 field, decrypted, for the preview and the report."""
    address = learner.address or {}
    four_ps = {True: _("Yes"), False: _("No")}.get(learner.is_4ps_beneficiary, _("Not stated"))
    return [
        (_("LRN"), learner.lrn),
        (_("Name"), learner.full_name),
        (_("Sex"), Sex(learner.sex).label if learner.sex else ""),
        (_("Birthdate"), learner.birthdate.isoformat()),
        (_("Place of birth"), learner.birthplace or ""),
        (
            _("Civil status"),
            CivilStatus(learner.civil_status).label if learner.civil_status else "",
        ),
        (_("Religion"), learner.religion or ""),
        (_("Mother tongue"), learner.mother_tongue_label),
        (_("IP (ethnic group)"), learner.ethnic_group or ""),
        (_("PWD"), learner.disability or ""),
        (_("Mother's maiden name"), learner.mothers_maiden_name or ""),
        (_("Contact number"), learner.contact_number or ""),
        (_("Address"), ", ".join(v for v in address.values() if v)),
        (_("4Ps beneficiary"), four_ps),
        (_("Last grade completed"), learner.get_last_grade_completed_display()),
        (_("Date mapped"), learner.date_mapped.isoformat() if learner.date_mapped else ""),
        (_("Interested in ALS"), _("Yes") if learner.interested_in_als else _("No")),
        (_("Remark"), learner.remark),
    ]


DETAIL_FIELDS = [
    "lrn",
    "name",
    "sex",
    "birthdate",
    *Learner.SENSITIVE_FIELDS,
    "mother_tongue",
    "mother_tongue_other",
    "last_grade_completed",
    "date_mapped",
    "interested_in_als",
    "remark",
]


class LearnerAdminView(WagtailAdminTemplateMixin, TemplateView):
    """Base for the learner admin views: Wagtail furniture plus the permission check."""

    page_title = ""
    header_icon = "user"
    template_name = ""

    def may_use(self, user):
        return services.may_enrol(user)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": None, "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not self.may_use(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def visible_learner(self, pk):
        """The learner if it is in the user's scope (404 otherwise, so existence does not leak)."""
        queryset = services.learners_visible_to(self.request.user)
        return get_object_or_404(queryset, pk=pk)

    def learner_or_restricted(self, pk):
        """(learner, full access?): in scope, or found by exact LRN / asked for in a transfer.

        Any other learner is a 404, so a division that never held the LRN learns nothing.
        """
        user = self.request.user
        learner = services.learners_visible_to(user).filter(pk=pk).first()
        if learner is not None:
            return learner, True
        learner = get_object_or_404(Learner.objects.select_related("division"), pk=pk)
        found = self.request.session.get(LRN_FOUND, [])
        if not transfers.has_restricted_access(user, learner, found):
            raise Http404
        return learner, False

    def render_restricted(self, learner, *, status=200, **extra):
        """The learner as another division sees them: name, LRN, birthdate, the transfer."""
        user = self.request.user
        services.log_access(
            user, learner, LearnerAccessLog.Action.VIEW, transfers.RESTRICTED_FIELDS, ADMIN
        )
        divisions = transfers.request_divisions(user, learner)
        pending = transfers.open_request(learner)
        context = {
            "learner": learner,
            "transfers": transfers.transfers_visible_to(user).filter(learner=learner),
            "pending": pending,
            "request_form": (
                TransferRequestForm(divisions=divisions)
                if pending is None and learner.division_id and divisions.exists()
                else None
            ),
            **extra,
        }
        self.template_name = "learners/admin/restricted.html"
        self.page_title = _("Learner held by another division")
        return self.render_to_response(self.get_context_data(**context), status=status)


class FlowView(LearnerAdminView):
    """A step after "confirm data source": sends the user back to step 2 until confirmed."""

    def dispatch(self, request, *args, **kwargs):
        confirmed = request.session.get(SOURCE_CONFIRMED)
        if not confirmed and services.may_enrol(request.user):
            return redirect("learners:enrol")
        return super().dispatch(request, *args, **kwargs)


class EnrolStartView(LearnerAdminView):
    """Steps 1–2: Enrol Learner → confirm the data source."""

    template_name = "learners/admin/confirm_source.html"
    page_title = gettext_lazy("Enrol learner")

    def get(self, request):
        return self.render_to_response(self.get_context_data(form=ConfirmSourceForm()))

    def post(self, request):
        form = ConfirmSourceForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        request.session[SOURCE_CONFIRMED] = True
        return redirect("learners:search")


class SearchView(FlowView):
    """Step 3: search by LRN or name; results offer Preview/Enrol or "Create New Record"."""

    template_name = "learners/admin/search.html"
    page_title = gettext_lazy("Enrol learner: find the learner")

    def get(self, request):
        form = LearnerSearchForm(request.GET or None)
        context = {"form": form, "searched": False}
        if form.is_valid():
            context.update(self.search(form.cleaned_data))
            context["searched"] = True
        return self.render_to_response(self.get_context_data(**context))

    def search(self, data):
        user = self.request.user
        visible = services.learners_visible_to(user)
        if data["lrn"]:
            # Someone holding the LRN may enrol the learner here even when they were enrolled
            # elsewhere before (a transfer); only name, LRN and birthdate are shown for those.
            learner = services.find_by_lrn(data["lrn"])
            results = []
            if learner is not None:
                in_scope = visible.filter(pk=learner.pk).exists()
                reasons = []
                if learner.lrn != data["lrn"]:
                    reasons.append(
                        _("LRN %(alias)s was merged into this record") % {"alias": data["lrn"]}
                    )
                results.append(
                    {
                        "learner": learner,
                        "in_scope": in_scope,
                        "reasons": reasons,
                        "may_enrol": services.may_enrol_here(user, learner),
                    }
                )
                found = set(self.request.session.get(LRN_FOUND, []))
                found.add(learner.pk)
                self.request.session[LRN_FOUND] = sorted(found)
                # Outside the user's scope only name, LRN and birthdate are shown.
                _log_listed(
                    user, [learner], LISTED_FIELDS if in_scope else transfers.RESTRICTED_FIELDS
                )
            return {"results": results, "create_query": urlencode({"lrn": data["lrn"]})}
        matches = services.search_by_name(
            data["last_name"], data["first_name"], data["birthdate"], queryset=visible
        )
        _log_listed(user, [m.learner for m in matches])
        query = {
            key: data[key] for key in ("last_name", "first_name", "birthdate") if data.get(key)
        }
        return {
            "results": [
                {
                    "learner": m.learner,
                    "in_scope": True,
                    "reasons": m.reasons,
                    "score": m.score,
                    "may_enrol": services.may_enrol_here(user, m.learner),
                }
                for m in matches
            ],
            "create_query": urlencode(query),
        }


class PreviewView(FlowView):
    """Step 3b: Preview an existing learner (every field, logged)."""

    template_name = "learners/admin/preview.html"
    page_title = gettext_lazy("Learner record")

    def get(self, request, pk):
        learner, full = self.learner_or_restricted(pk)
        if not full:
            return self.render_restricted(learner)
        services.log_access(
            request.user, learner, LearnerAccessLog.Action.VIEW, DETAIL_FIELDS, ADMIN
        )
        enrolments = learner.enrolments.select_related("cycle", "clc__district")
        own_clcs = set(services.enrolment_clcs_for(request.user).values_list("pk", flat=True))
        return self.render_to_response(
            self.get_context_data(
                learner=learner,
                details=learner_details(learner),
                enrolments=enrolments,
                editable_ids={e.pk for e in enrolments if e.clc_id in own_clcs},
                status_choices=Enrolment.Status.choices,
                aliases=learner.aliases.order_by("lrn"),
                may_enrol=services.may_enrol_here(request.user, learner),
                transfers=transfers.transfers_visible_to(request.user).filter(learner=learner),
            )
        )


@method_decorator(sensitive_post_parameters(), name="dispatch")
class UpdateView(FlowView):
    """Update an existing learner's AF2 data before enrolling."""

    template_name = "learners/admin/update.html"
    page_title = gettext_lazy("Update learner")

    def get(self, request, pk):
        learner = self.visible_learner(pk)
        services.log_access(
            request.user, learner, LearnerAccessLog.Action.VIEW, DETAIL_FIELDS, ADMIN
        )
        return self.render_to_response(
            self.get_context_data(learner=learner, form=LearnerForm(instance=learner))
        )

    def post(self, request, pk):
        learner = self.visible_learner(pk)
        form = LearnerForm(request.POST, instance=learner)
        if form.is_valid():
            changed = [n for n in form.changed_data if n != "lrn"]
            services.update_learner(form.instance, changed, user=request.user, channel=ADMIN)
            messages.success(request, _("Learner record updated."))
            return redirect("learners:preview", pk=learner.pk)
        return self.render_to_response(self.get_context_data(learner=learner, form=form))


class EnrolView(FlowView):
    """Enrol an existing learner (in scope, or found by exact LRN) at one of the user's CLCs."""

    template_name = "learners/admin/enrol.html"
    page_title = gettext_lazy("Enrol learner")

    def learner(self, pk):
        learner, _full = self.learner_or_restricted(pk)
        return learner

    def form(self, data=None):
        return EnrolmentForm(data, clcs=services.enrolment_clcs_for(self.request.user))

    def transfer_needed(self, learner, status=200):
        """Another division holds the learner: no enrolment, the "Request transfer" page."""
        return self.render_restricted(
            learner,
            status=status,
            refusal=_(
                "This learner belongs to another division. Request a transfer; you can enrol "
                "them once their division (or the region) accepts it."
            ),
        )

    def get(self, request, pk):
        learner = self.learner(pk)
        if not services.may_enrol_here(request.user, learner):
            return self.transfer_needed(learner)
        services.log_access(
            request.user, learner, LearnerAccessLog.Action.VIEW, LISTED_FIELDS, ADMIN
        )
        return self.render_to_response(self.get_context_data(learner=learner, form=self.form()))

    def post(self, request, pk):
        learner = self.learner(pk)
        if not services.may_enrol_here(request.user, learner):
            return self.transfer_needed(learner, status=409)
        form = self.form(request.POST)
        if form.is_valid():
            try:
                enrolment = services.enrol(
                    learner, user=request.user, channel=ADMIN, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return redirect("learners:enrolment_added", pk=enrolment.pk)
        return self.render_to_response(self.get_context_data(learner=learner, form=form))


def _add_errors(form, error):
    """Put a service ValidationError onto a form, field by field where the field exists."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@method_decorator(sensitive_post_parameters(), name="dispatch")
class CreateView(FlowView):
    """Step 3a: "No, this is correct. Create New Record" → the form → Enrol.

    A record that nearly matches an existing one is only created after explicit confirmation.
    """

    template_name = "learners/admin/create.html"
    page_title = gettext_lazy("Enrol learner: new record")

    def forms(self, data=None):
        clcs = services.enrolment_clcs_for(self.request.user)
        initial = {
            key: self.request.GET.get(key, "")
            for key in ("lrn", "last_name", "first_name", "birthdate")
            if self.request.GET.get(key)
        }
        return (
            NewLearnerForm(data, initial=initial, prefix="learner"),
            EnrolmentForm(data, clcs=clcs, prefix="enrolment"),
        )

    def get(self, request):
        learner_form, enrolment_form = self.forms()
        return self.render_to_response(
            self.get_context_data(learner_form=learner_form, enrolment_form=enrolment_form)
        )

    def post(self, request):
        learner_form, enrolment_form = self.forms(request.POST)
        context = {"learner_form": learner_form, "enrolment_form": enrolment_form}
        if not (learner_form.is_valid() and enrolment_form.is_valid()):
            return self.render_to_response(self.get_context_data(**context))
        data = learner_form.learner_data()
        matches = services.near_duplicates(data["last_name"], data["first_name"], data["birthdate"])
        if matches:
            visible = set(
                services.learners_visible_to(request.user)
                .filter(pk__in=[m.learner.pk for m in matches])
                .values_list("pk", flat=True)
            )
            context["near_matches"] = [
                {"match": m, "in_scope": m.learner.pk in visible} for m in matches
            ]
            _log_listed(request.user, [m.learner for m in matches if m.learner.pk in visible])
            if not learner_form.cleaned_data.get("confirm_not_duplicate"):
                learner_form.add_error(
                    "confirm_not_duplicate",
                    _(
                        "This learner nearly matches %(count)s existing record(s). Check them; "
                        "enrol the existing learner instead, or confirm that this is a different "
                        "person."
                    )
                    % {"count": len(matches)},
                )
                return self.render_to_response(self.get_context_data(**context))
        learner = Learner(**data)
        try:
            services.validate_enrolment(
                learner,
                enrolment_form.cleaned_data["cycle"],
                enrolment_form.cleaned_data["program"],
                enrolment_form.cleaned_data["date_first_attendance"],
            )
            with transaction.atomic():
                learner = services.create_learner(data, user=request.user, channel=ADMIN)
                enrolment = services.enrol(
                    learner, user=request.user, channel=ADMIN, **enrolment_form.cleaned_data
                )
        except ValidationError as error:
            target = learner_form
            if hasattr(error, "error_dict") and set(error.error_dict) & set(enrolment_form.fields):
                target = enrolment_form
            _add_errors(target, error)
            return self.render_to_response(self.get_context_data(**context))
        return redirect("learners:enrolment_added", pk=enrolment.pk)


class EnrolmentStatusView(LearnerAdminView):
    """Mark an enrolment at one of the user's CLCs completed, stopped attending or enrolled."""

    def post(self, request, pk):
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("learner"),
            pk=pk,
            clc__in=services.enrolment_clcs_for(request.user),
            # A learner transferred away is no longer the old division's to update.
            learner__in=services.learners_visible_to(request.user).values("pk"),
        )
        try:
            services.set_enrolment_status(
                enrolment, request.POST.get("status", ""), user=request.user, channel=ADMIN
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(cycle)s: status set to %(status)s.")
                % {"cycle": enrolment.cycle.label, "status": enrolment.get_status_display()},
            )
        return redirect("learners:preview", pk=enrolment.learner.pk)


class EnrolmentAddedView(LearnerAdminView):
    """Step 5: "Enrolment Added"."""

    template_name = "learners/admin/enrolment_added.html"
    page_title = gettext_lazy("Enrolment Added")

    def get(self, request, pk):
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("learner", "cycle", "clc"),
            pk=pk,
            learner__in=services.learners_visible_to(request.user).values("pk"),
        )
        return self.render_to_response(self.get_context_data(enrolment=enrolment))


class MergeView(LearnerAdminView):
    """Merge two records of one person (division focal person, system administrator)."""

    template_name = "learners/admin/merge.html"
    page_title = gettext_lazy("Merge learner records")
    header_icon = "resubmit"

    def may_use(self, user):
        return services.may_oversee(user)

    def get(self, request):
        # The duplicates report links here with the pair's LRNs filled in.
        initial = {key: request.GET[key] for key in ("lrn_a", "lrn_b") if request.GET.get(key)}
        return self.render_to_response(self.get_context_data(form=MergeForm(initial=initial)))

    def post(self, request):
        form = MergeForm(request.POST)
        context = {"form": form}
        if form.is_valid():
            visible = services.learners_visible_to(request.user, services.OVERSIGHT_ROLES)
            pair = []
            for key in ("lrn_a", "lrn_b"):
                learner = services.find_by_lrn(form.cleaned_data[key], queryset=visible)
                if learner is None:
                    form.add_error(key, _("No learner with this LRN in your scope."))
                pair.append(learner)
            if form.is_valid() and pair[0].pk == pair[1].pk:
                form.add_error(None, _("Both LRNs already belong to the same learner."))
            if form.is_valid():
                for learner in pair:
                    services.log_access(
                        request.user, learner, LearnerAccessLog.Action.VIEW, DETAIL_FIELDS, ADMIN
                    )
                context["pair"] = [
                    {
                        "learner": lr,
                        "details": learner_details(lr),
                        "enrolments": lr.enrolments.select_related("cycle", "clc"),
                    }
                    for lr in sorted(pair, key=lambda lr: (lr.created_at, lr.pk))
                ]
                if form.cleaned_data["confirmed"]:
                    merge = services.merge_learners(
                        *pair, user=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(
                        request,
                        _("LRN %(merged)s merged into %(lrn)s; it now finds the same learner.")
                        % {"merged": merge.merged_lrn, "lrn": merge.surviving.lrn},
                    )
                    return redirect(reverse("learners:merge"))
        return self.render_to_response(self.get_context_data(**context))


class DuplicatesView(LearnerAdminView):
    """The division's likely duplicate learners, ranked, each pair with a link to merge it."""

    template_name = "learners/admin/duplicates.html"
    page_title = gettext_lazy("Likely duplicate learners")
    header_icon = "resubmit"
    page_size = 50

    def may_use(self, user):
        return services.may_oversee(user)

    def get(self, request):
        divisions = list(duplicates.divisions_for(request.user))
        chosen = request.GET.get("division") or (divisions[0].slug if divisions else "")
        division = next((d for d in divisions if d.slug == chosen), None)
        if division is None and divisions:
            # Another division's slug (or none that exists) is not in the user's scope.
            raise Http404
        pairs = duplicates.division_pairs(request.user, division) if division else []
        page = Paginator(pairs, self.page_size).get_page(request.GET.get("p"))
        shown = {}
        for pair in page.object_list:
            shown[pair.first.pk], shown[pair.second.pk] = pair.first, pair.second
        _log_listed(request.user, shown.values(), DUPLICATE_FIELDS)
        return self.render_to_response(
            self.get_context_data(divisions=divisions, division=division, page=page)
        )


class AccessLogView(LearnerAdminView):
    """The learner access log, limited to learners in the reviewer's scope."""

    template_name = "learners/admin/access_log.html"
    page_title = gettext_lazy("Learner access log")
    header_icon = "history"

    def may_use(self, user):
        return user.has_perm("learners.view_learner_access_log") and services.may_oversee(user)

    def get(self, request):
        form = AccessLogFilterForm(request.GET or None)
        entries = services.access_log_visible_to(request.user)
        if form.is_valid():
            if form.cleaned_data["lrn"]:
                entries = entries.filter(lrn=form.cleaned_data["lrn"].strip())
            if form.cleaned_data["username"]:
                entries = entries.filter(username__iexact=form.cleaned_data["username"].strip())
            if form.cleaned_data["action"]:
                entries = entries.filter(action=form.cleaned_data["action"])
        page = Paginator(entries, 50).get_page(request.GET.get("p"))
        query = request.GET.copy()
        query.pop("p", None)
        return self.render_to_response(
            self.get_context_data(form=form, page=page, filter_query=query.urlencode())
        )


# --- transfers ---------------------------------------------------------------------------------


@method_decorator(require_POST, name="dispatch")
class TransferRequestView(LearnerAdminView):
    """POST: the user's division requests a learner held by another division."""

    def post(self, request, pk):
        learner, full = self.learner_or_restricted(pk)
        divisions = transfers.request_divisions(request.user, learner)
        form = TransferRequestForm(request.POST, divisions=divisions)
        if not form.is_valid():
            return self.render_restricted(learner, status=400, request_form=form)
        try:
            transfer = transfers.request_transfer(
                request.user,
                learner,
                form.cleaned_data["to_division"],
                reason=form.cleaned_data["reason"],
                channel=ADMIN,
            )
        except transfers.TransferError as error:
            messages.error(request, error.message)
            return self.render_restricted(learner, status=error.status_code)
        messages.success(
            request,
            _("Transfer requested from %(division)s. You will be told when they answer.")
            % {"division": transfer.from_division.name},
        )
        return redirect("learners:transfer", pk=transfer.pk)


class TransferAdminView(LearnerAdminView):
    """Base of the transfer screens: for enrolling, answering and regional roles."""

    header_icon = "resubmit"

    def may_use(self, user):
        return transfers.may_use_transfers(user)


class TransferListView(TransferAdminView):
    """Incoming (learners of my divisions asked for), outgoing (my requests), and the region's."""

    template_name = "learners/admin/transfers.html"
    page_title = gettext_lazy("Learner transfer requests")

    def get(self, request):
        user = request.user
        visible = transfers.transfers_visible_to(user)
        answering = scope_for(user, transfers.ANSWER_ROLES)
        enrolling = scope_for(user, services.ENROL_ROLES)
        region = scope_for(user, transfers.REGION_ROLES)
        boxes = []
        if not answering.is_empty:
            boxes.append(
                (
                    _("Incoming: learners of your division asked for"),
                    answering.filter(visible, division_field="from_division_id"),
                )
            )
        if not enrolling.is_empty:
            boxes.append(
                (
                    _("Outgoing: learners your division asked for"),
                    visible.filter(
                        Q(to_division_id__in=enrolling.division_ids) | Q(requested_by=user)
                    )
                    if not enrolling.is_global
                    else visible,
                )
            )
        if not region.is_empty:
            boxes.append(
                (
                    _("Escalated to the region: waiting for your decision"),
                    region.filter(visible, division_field="from_division_id").filter(
                        state=TransferState.ESCALATED
                    ),
                )
            )
            boxes.append(
                (
                    _("All transfers of the region"),
                    region.filter(visible, division_field="from_division_id"),
                )
            )
        return self.render_to_response(
            self.get_context_data(boxes=[(title, list(rows[:200])) for title, rows in boxes])
        )


class TransferDetailView(TransferAdminView):
    """One transfer request: the learner's name, LRN and birthdate, its history, the answers."""

    template_name = "learners/admin/transfer.html"
    page_title = gettext_lazy("Learner transfer request")

    def transfer(self, pk):
        return get_object_or_404(transfers.transfers_visible_to(self.request.user), pk=pk)

    def render(self, transfer, form=None, status=200):
        user = self.request.user
        services.log_access(
            user,
            transfer.learner,
            LearnerAccessLog.Action.VIEW,
            transfers.RESTRICTED_FIELDS,
            ADMIN,
        )
        context = {
            "transfer": transfer,
            "learner": transfer.learner,
            "actions": transfers.available_actions(user, transfer),
            "form": form or TransferAnswerForm(),
            "full_access": services.may_enrol(user)
            and services.can_see_learner(user, transfer.learner),
            "may_enrol": transfer.moves_learner and services.may_enrol_here(user, transfer.learner),
            "answer_days": transfers.answer_days(),
        }
        return self.render_to_response(self.get_context_data(**context), status=status)

    def get(self, request, pk):
        return self.render(self.transfer(pk))

    def post(self, request, pk):
        transfer = self.transfer(pk)
        form = TransferAnswerForm(request.POST)
        if not form.is_valid():
            return self.render(transfer, form, status=400)
        try:
            transfer = transfers.perform(
                request.user,
                transfer,
                form.cleaned_data["action"],
                note=form.cleaned_data["note"],
                channel=ADMIN,
            )
        except transfers.TransferError as error:
            if error.status_code == 403:
                raise PermissionDenied from error
            form.add_error(None, error.message)
            return self.render(self.transfer(pk), form, status=error.status_code)
        messages.success(
            request, _("Transfer %(state)s.") % {"state": transfer.get_state_display().lower()}
        )
        return redirect("learners:transfer", pk=transfer.pk)


class SchoolYearCycleViewSet(ModelViewSet):
    """Enrolment cycles (calendar or school year, with their cut-off), configured by the region."""

    model = SchoolYearCycle
    icon = "date"
    add_to_admin_menu = False
    menu_label = gettext_lazy("Enrolment cycles")
    url_prefix = "learners/cycles"
    url_namespace = "learners_cycles"
    form_fields = ["label", "cycle_type", "start_date", "end_date", "enrolment_cutoff", "is_open"]
    list_display = ["label", "cycle_type", "start_date", "end_date", "enrolment_cutoff", "is_open"]
