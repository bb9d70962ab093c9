"""The staff UI of submissions in the Wagtail admin.

A `ModelViewSet` gives the "Submissions" menu: a scope-filtered listing with filters, search and
a bulk "receive" action; create and edit forms for drafts (with one upload field per file role);
and a submission page (the viewset's inspect view) with the route, the action that fits first
(the claimed review: the main file beside one rating sheet on which the outcome is chosen;
publishing: what becomes public, then the button), the other actions, the main file, metadata,
files, receipt stamps, reviews and history. Every action goes through `workflow.services`,
exactly like the API.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    DateColumn,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.boolean_radio_select import BooleanRadioSelect
from wagtail.permission_policies.base import BasePermissionPolicy

from guard.storage_errors import StorageUnavailable, delete_quietly
from organisation.dashboard import task_groups_for
from organisation.models import Level, Role, RoleAssignment
from organisation.scope import roles_of, scope_for
from organisation.views import ScopedObjectsViewSetMixin
from repository.models import Submission
from repository.services import UploadRejected, missing_items, missing_requirements

from . import services
from .admin_forms import (
    ReviewForm,
    SubmissionAdminForm,
    TransitionForm,
    field_anchor,
    submission_panels,
)
from .downloads import file_response, main_file_viewer, page_image_response
from .exceptions import WorkflowError
from .log_actions import LABELS as LOG_LABELS
from .models import WAITING_STATES, ReceiptStamp, Review, State
from .review import MUST_PASS, sheet_for
from .route import route_of
from .rules import NOT_A_NEXT_STEP

CREATOR_ROLES = {Role.ALS_TEACHER, Role.EPSA, Role.REGIONAL_ALS, Role.SYSTEM_ADMINISTRATOR}

# Button labels of the actions, in the words of the offices.
TRANSITION_LABELS = {
    "submit": gettext_lazy("Submit"),
    "recall": gettext_lazy("Recall to draft"),
    "receive_at_division": gettext_lazy("Receive and stamp"),
    "return_incomplete": gettext_lazy("Return as incomplete"),
    "claim_division_review": gettext_lazy("Claim for division review"),
    "release_claim": gettext_lazy("Release my claim"),
    "return_for_revision": gettext_lazy("Return for revision"),
    "resubmit": gettext_lazy("Resubmit"),
    "endorse_to_region": gettext_lazy("Endorse to the region"),
    "receive_at_region": gettext_lazy("Receive and stamp at the region"),
    "claim_regional_review": gettext_lazy("Claim for regional review"),
    "approve": gettext_lazy("Approve"),
    "publish": gettext_lazy("Publish"),
    "withdraw": gettext_lazy("Withdraw from publication"),
    "request_correction": gettext_lazy("Send back for a correction"),
}
# Actions that send the submission back or away get the "serious" (red) button.
SERIOUS = {"return_incomplete", "return_for_revision", "withdraw", "request_correction"}
RECEIVE_ACTIONS = ("receive_at_division", "receive_at_region")
# Actions taken with one click: nothing to say when taking a review from the pool.
ONE_CLICK = {"claim_division_review", "claim_regional_review", "release_claim"}
# Ways out (rules.NOT_A_NEXT_STEP: giving a claim back, recalling) come after the step that fits.
SECONDARY = set(NOT_A_NEXT_STEP)
PUBLISH = "publish"
# The cms app (which the workflow may not import) shows what publishing would make public:
# its wagtail_hooks register a function (submission) -> a Component, or None.
PUBLICATION_PREVIEW_HOOK = "submission_publication_preview"
# Other apps (which the workflow may not import) add buttons beside "Edit and upload files" for
# someone who may edit the submission: functions (submission) -> (label, url) or None.
EDIT_BUTTONS_HOOK = "submission_edit_buttons"


# --------------------------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------------------------


class SubmissionPermissionPolicy(BasePermissionPolicy):
    """Who may use the Submissions screens: any user with a role sees the listing (filtered to
    what `visible_submissions` allows); those who submit (teachers, EPSAs, regional ALS, system
    administrators) may add and change, per submission only while `can_edit` says so. Nobody
    deletes a submission: its history must survive."""

    def user_has_permission(self, user, action):
        if not (user.is_authenticated and user.is_active):
            return False
        if action == "delete":
            return False
        if user.is_superuser:
            return True
        roles = roles_of(user)
        if action == "view":
            return bool(roles)
        if action in ("add", "change"):
            return bool(roles & CREATOR_ROLES)
        return False

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if action == "view":
            return services.visible_submissions(user).filter(pk=instance.pk).exists()
        if action == "change":
            return services.can_edit(user, instance)
        return False

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Submission.objects.none()
        return services.visible_submissions(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if set(actions) <= {"delete"}:
            return users.none()
        return users.filter(
            Q(is_superuser=True) | Q(pk__in=RoleAssignment.objects.values("user_id"))
        )


submission_permission_policy = SubmissionPermissionPolicy(Submission)


# --------------------------------------------------------------------------------------------
# Listing
# --------------------------------------------------------------------------------------------


def _divisions(request):
    return scope_for(request.user).divisions().order_by("name")


def _districts(request):
    return scope_for(request.user).districts().select_related("division").order_by("name")


class SubmissionFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"), field_name="journey__state", choices=State.choices
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=Submission.Kind.choices)
    division = django_filters.ModelChoiceFilter(label=gettext_lazy("Division"), queryset=_divisions)
    district = django_filters.ModelChoiceFilter(label=gettext_lazy("District"), queryset=_districts)
    created_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Created"), widget=DateRangePickerWidget
    )
    state_changed_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("In its state since"),
        field_name="journey__state_changed_at",
        widget=DateRangePickerWidget,
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("Overdue"), method="filter_overdue", widget=BooleanRadioSelect
    )

    class Meta:
        model = Submission
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = services.overdue_q()
        return queryset.filter(condition) if value else queryset.exclude(condition)


class StateColumn(StatusTagColumn):
    """The workflow state as a status tag, flagged when overdue."""

    def get_value(self, instance):
        journey = instance.journey
        label = journey.get_state_display()
        if services.is_overdue(journey):
            return _("%(state)s — overdue") % {"state": label}
        return label

    def get_primary(self, instance):
        return instance.journey.state in (State.APPROVED, State.PUBLISHED)


class SubmissionIndexView(generic.IndexView):
    template_name = "workflow/submission_index.html"
    search_fields = ["title", "summary", "keywords", "authors"]
    filterset_class = SubmissionFilterSet
    default_ordering = "-created_at"
    page_title = gettext_lazy("Submissions")

    def get_base_queryset(self):
        return services.visible_submissions(self.request.user)

    @cached_property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="submission"),
            TitleColumn(
                "title",
                label=gettext_lazy("Title"),
                get_url=detail_url,
                get_title_id=lambda s: f"submission_{s.pk}_title",
                sort_key="title",
            ),
            Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display"),
            StateColumn("state", label=gettext_lazy("State"), sort_key="journey__state"),
            Column("division", label=gettext_lazy("Division"), sort_key="division__name"),
            Column("district", label=gettext_lazy("District")),
            Column("created_by", label=gettext_lazy("Submitted by")),
            DateColumn("updated_at", label=gettext_lazy("Updated"), sort_key="updated_at"),
        ]


# --------------------------------------------------------------------------------------------
# Create and edit
# --------------------------------------------------------------------------------------------


def detail_url(submission):
    """The submission page in the admin."""
    return reverse("submissions:inspect", args=[submission.pk])


def _apply_service_error(form, error):
    """Show a WorkflowError (or refused upload) on the form it came from."""
    if isinstance(error, UploadRejected):
        form.add_error(None, error.message)
        return
    details = error.details if isinstance(error.details, dict) else {}
    placed = False
    for field, field_messages in details.items():
        target = field if field in form.fields else None
        for text in field_messages:
            form.add_error(target, text)
        placed = True
    if not placed:
        form.add_error(None, error.message)


def _storage_unavailable(view, form, error):
    """The form again, with the storage outage said on it, as a 503 (nothing was saved)."""
    form.add_error(None, error.message)
    view.produced_error_message = error.message
    response = view.form_invalid(form)
    response.status_code = 503
    return response


class SubmissionCreateView(generic.CreateView):
    """Teachers (and EPSAs, regional ALS) start a draft, with files if they have them."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["for_user"] = self.request.user
        return kwargs

    def get_success_url(self):
        return detail_url(self.object)

    def get_success_buttons(self):
        return []

    def form_valid(self, form):
        self.form = form
        try:
            self.object = services.create_submission(
                self.request.user, self.request.POST, files=form.uploads()
            )
        except WorkflowError as error:
            _apply_service_error(form, error)
            self.produced_error_message = error.message
            return self.form_invalid(form)
        except StorageUnavailable as error:
            return _storage_unavailable(self, form, error)
        return self.save_action()


class SubmissionEditView(generic.EditView):
    """The submitter changes a draft (or a returned submission) and adds file versions."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = self.get_object()

    def get_object(self, queryset=None):
        return get_object_or_404(
            services.visible_submissions(self.request.user), pk=self.kwargs["pk"]
        )

    def dispatch(self, request, *args, **kwargs):
        if not services.can_edit(request.user, self.object):
            messages.error(
                request,
                _(
                    "This submission can be changed only by its submitter, while it is a draft or returned."
                ),
            )
            return redirect(detail_url(self.object))
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return detail_url(self.object)

    def get_success_buttons(self):
        return []

    def form_valid(self, form):
        self.form = form
        stored = []
        try:
            with transaction.atomic():
                self.object = services.update_draft(
                    self.request.user, self.object, self.request.POST
                )
                for role, uploaded in form.uploads():
                    try:
                        record = services.upload_file(
                            self.request.user, self.object, uploaded, role
                        )
                    except UploadRejected as rejected:
                        form.add_error(form.field_for_role(role), rejected.message)
                        raise
                    stored.append(record.file)
        except (WorkflowError, UploadRejected, StorageUnavailable) as error:
            # The rows are rolled back; the objects already written to storage go too.
            for field_file in stored:
                delete_quietly(field_file.storage, field_file.name)
            if isinstance(error, StorageUnavailable):
                return _storage_unavailable(self, form, error)
            if not isinstance(error, UploadRejected):
                _apply_service_error(form, error)
            self.produced_error_message = getattr(error, "message", str(error))
            return self.form_invalid(form)
        return self.save_action()


# --------------------------------------------------------------------------------------------
# The submission page and its actions
# --------------------------------------------------------------------------------------------


def transition_forms(submission, user, bound=None):
    """One TransitionForm per action the user may take now; `bound` replaces one with its
    submitted (and failed) version so its errors show."""
    forms = []
    version = submission.journey.version
    names = services.available_transitions(user, submission)
    incomplete = "return_incomplete" in names and bool(missing_items(submission))
    if incomplete:
        # An incomplete item cannot be received: returning it is the step that fits, so it
        # comes first and opens with the missing items ticked as its reasons.
        names = ["return_incomplete", *(n for n in names if n != "return_incomplete")]
    for name in names:
        if bound is not None and bound.name == name:
            form = bound
        else:
            form = TransitionForm(submission=submission, name=name, initial={"version": version})
        form.label = TRANSITION_LABELS.get(name, name)
        form.serious = name in SERIOUS
        form.open_first = incomplete and name == "return_incomplete"
        forms.append(form)
    return forms


def submit_checklist(submission, user):
    """What submitting still needs, as [{"key", "message", "url"}]: each a link to its field on
    the edit form while the viewer may edit (else no link)."""
    edit_url = reverse("submissions:edit", args=[submission.pk])
    editable = services.can_edit(user, submission)
    return [
        {
            "key": item.key,
            "message": item.message,
            "url": f"{edit_url}#{field_anchor(item.key)}" if editable else "",
        }
        for item in missing_items(submission)
    ]


class SubmissionDetailView(generic.InspectView):
    """Everything about one submission, and the actions the viewer may take now."""

    template_name = "workflow/submission_detail.html"
    page_title = gettext_lazy("Submission")
    bound_form = None

    def get_object(self, queryset=None):
        return get_object_or_404(services.visible_submissions(self.request.user), pk=self.pk)

    def get_page_subtitle(self):
        return self.object.title

    def post(self, request, *args, **kwargs):
        # Only the action view posts here, to show its failed form on the page.
        if self.bound_form is None:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return self.get(request, *args, **kwargs)

    def get_edit_url(self):
        if services.can_edit(self.request.user, self.object):
            return reverse(self.edit_url_name, args=[self.object.pk])
        return None

    def get_delete_url(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submission = self.object
        journey = submission.journey
        user = self.request.user
        returned = journey.state in (State.RETURNED_INCOMPLETE, State.RETURNED_FOR_REVISION)
        bound = self.bound_form
        primary, secondary, publish = arrange_actions(
            transition_forms(submission, user, None if isinstance(bound, ReviewForm) else bound)
        )
        review_form = review_form_for(
            submission, user, bound if isinstance(bound, ReviewForm) else None
        )
        edit_url = self.get_edit_url()
        context.update(
            {
                "submission": submission,
                "journey": journey,
                "overdue": services.is_overdue(journey),
                "metadata": metadata_rows(submission),
                "missing": submit_checklist(submission, user),
                "files": submission.files.select_related("uploaded_by").order_by(
                    "role", "lineage", "-version"
                ),
                "stamps": submission.receipts.select_related("received_by", "division", "region"),
                "reviews": annotated_reviews(submission),
                "history": annotated_history(submission),
                "returned": returned,
                "comments": [r for r in annotated_history(submission) if r.comment or r.reasons]
                if returned
                else [],
                "transition_forms": primary,
                "secondary_forms": secondary,
                "publish_form": publish,
                "publication_preview": publication_preview(submission) if publish else None,
                "review_form": review_form,
                "outcome_labels": outcome_labels(),
                "must_pass": MUST_PASS,
                "viewer": main_file_viewer(submission),
                "route": route_of(submission),
                "can_edit": services.can_edit(user, submission),
                "edit_url": edit_url,
                "edit_buttons": edit_buttons(submission) if edit_url else [],
                "public_url": _public_url(submission),
                "log_url": reverse("submissions:history", args=[submission.pk]),
            }
        )
        return context


def annotated_reviews(submission):
    """The reviews with their answers laid out for display: item labels from the sheet."""
    sheet = sheet_for(submission)
    labels = {item["key"]: item["label"] for f in sheet["factors"] for item in f["items"]}
    titles = {f["key"]: f["title"] for f in sheet["factors"]}
    reviews = list(submission.reviews.select_related("reviewer"))
    for review in reviews:
        answers = review.answers or {}
        notes = answers.get("item_comments") or {}
        review.rows = [
            (labels.get(key, key), value, notes.get(key, ""))
            for key, value in (answers.get("items") or {}).items()
        ]
        review.factor_rows = [
            (titles.get(key, key), result) for key, result in (answers.get("factors") or {}).items()
        ]
    return reviews


def annotated_history(submission):
    records = list(submission.history.select_related("actor", "receipt"))
    for record in records:
        record.label = LOG_LABELS.get(record.name, record.name)
    return records


def _public_url(submission):
    from .serializers import public_url

    return public_url(submission)


def _display(value):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def metadata_rows(submission):
    """[(label, value)] of the filled-in metadata fields of the submission's kind."""
    from repository.forms import COMMON_FIELDS, KIND_FIELDS

    rows = []
    for name in COMMON_FIELDS + KIND_FIELDS.get(submission.kind, []):
        field = Submission._meta.get_field(name)
        if field.many_to_many:
            value = ", ".join(str(term) for term in getattr(submission, name).all())
        elif field.choices:
            value = getattr(submission, f"get_{name}_display")()
        else:
            value = _display(getattr(submission, name))
        rows.append((field.verbose_name, value))
    rows.append((_("Origin"), f"{submission.get_origin_level_display()}: {submission.origin_unit}"))
    return rows


def review_decisions(user, submission):
    """[(transition name, label)] of the review outcomes the user may choose now (endorse or
    approve first, the return last), or [] when the user holds no claim on a review."""
    names = [
        n for n in services.available_transitions(user, submission) if n in services.REVIEW_REQUIRED
    ]
    names.sort(key=lambda n: n in SERIOUS)
    return [(name, TRANSITION_LABELS.get(name, name)) for name in names]


def earlier_review(submission):
    """The division's latest review, shown beside the regional sheet; None elsewhere."""
    if submission.journey.state != State.UNDER_REGIONAL_REVIEW:
        return None
    return submission.reviews.filter(level=Level.DIVISION).order_by("-created_at").first()


def review_form_for(submission, user, bound=None):
    """The one rating sheet of the reviewer holding the claim, or None."""
    if bound is not None:
        return bound
    decisions = review_decisions(user, submission)
    if not decisions:
        return None
    return ReviewForm(
        submission=submission,
        decisions=decisions,
        earlier=earlier_review(submission),
        initial={"version": submission.journey.version},
    )


def outcome_labels():
    """The outcomes' labels for the sheet's live outcome (static/js/review-sheet.js)."""
    return {outcome.value: str(outcome.label) for outcome in Review.Outcome}


def publication_preview(submission):
    """What publishing would make public, from the public site's hook (a Component), or None."""
    for make in hooks.get_hooks(PUBLICATION_PREVIEW_HOOK):
        component = make(submission)
        if component is not None:
            return component
    return None


def edit_buttons(submission):
    """The (label, url) buttons other apps add for someone who may edit `submission`."""
    buttons = (make(submission) for make in hooks.get_hooks(EDIT_BUTTONS_HOOK))
    return [button for button in buttons if button is not None]


def arrange_actions(forms):
    """The action forms in the order that fits: the steps forward first, then sending it back,
    the ways out last; the review outcomes and publishing have their own sections and leave the
    list.
    Returns (primary, secondary, publish form or None)."""
    primary, secondary, publish = [], [], None
    for form in forms:
        form.one_click = form.name in ONE_CLICK
        form.secondary = form.name in SECONDARY
        if form.name in services.REVIEW_REQUIRED:
            continue
        if form.name == PUBLISH:
            publish = form
        elif form.name in SECONDARY:
            secondary.append(form)
        else:
            primary.append(form)
    # Sending it back comes after the step forward, unless it is the step that fits (an
    # incomplete item's return, which transition_forms opens first).
    primary.sort(key=lambda f: (not getattr(f, "open_first", False), f.name in SERIOUS))
    return primary, secondary, publish


def _detail_url(viewset, submission):
    return reverse(viewset.get_url_name("inspect"), args=[submission.pk])


def make_transition_view(viewset):
    """POST handler of the action forms on the submission page."""

    @require_POST
    def transition_view(request, pk, name):
        if not submission_permission_policy.user_has_permission(request.user, "view"):
            raise PermissionDenied
        submission = get_object_or_404(services.visible_submissions(request.user), pk=pk)
        if name in services.REVIEW_REQUIRED:
            # A review's outcome is chosen on the one rating sheet (make_review_view).
            messages.error(request, _("Give the review on the rating sheet of the submission."))
            return redirect(_detail_url(viewset, submission))
        form = TransitionForm(request.POST, submission=submission, name=name)
        if form.is_valid() and _take_action(request, submission, name, form):
            return redirect(_detail_url(viewset, submission))
        return _show_failed_form(viewset, request, pk, form)

    return transition_view


def _take_action(request, submission, name, form):
    """Perform `name` with a valid action or review form's data. True when the page should go
    back to the submission (done, or refused in a way the form cannot show); False when the
    service's field errors were put on the form to show it again."""
    try:
        services.perform_transition(
            request.user,
            submission,
            name,
            comment=form.cleaned_data.get("comment", ""),
            review=form.review_payload(),
            reasons=form.reason_codes(),
            expected_version=form.cleaned_data["version"],
        )
    except WorkflowError as error:
        if error.status_code == 400:
            form.add_service_errors(error.details, error.message)
            return False
        messages.error(request, error.message)
        return True
    action_done(request, submission, name)
    return True


def action_done(request, submission, name):
    """The success message of an action; a receipt's links its printable slip."""
    journey = submission.journey
    text = _("“%(title)s”: %(action)s — now %(state)s.") % {
        "title": submission.title,
        "action": TRANSITION_LABELS.get(name, name),
        "state": journey.get_state_display(),
    }
    buttons = []
    stamp = submission.receipts.order_by("-received_at").first()
    if name in RECEIVE_ACTIONS and stamp is not None:
        text += " " + _("Control number %(number)s.") % {"number": stamp.control_number}
        buttons.append(
            messages.button(
                reverse("submissions:receipt", args=[stamp.pk]), _("Print receipt slip")
            )
        )
    messages.success(request, text, buttons=buttons)


def _show_failed_form(viewset, request, pk, form):
    """The submission page again, with the failed form and its errors (400)."""
    messages.error(request, _("The action could not be taken; see the errors below."))
    view = viewset.construct_view(
        viewset.inspect_view_class, **viewset.get_inspect_view_kwargs(bound_form=form)
    )
    response = view(request, pk=pk)
    response.status_code = 400
    return response


def make_review_view(viewset):
    """POST handler of the one rating sheet: takes the outcome chosen on it (endorse, approve or
    return for revision) with the sheet's scores."""

    @require_POST
    def review_view(request, pk):
        if not submission_permission_policy.user_has_permission(request.user, "view"):
            raise PermissionDenied
        submission = get_object_or_404(services.visible_submissions(request.user), pk=pk)
        decisions = review_decisions(request.user, submission)
        if not decisions:
            messages.error(request, _("There is no review of yours to submit on this submission."))
            return redirect(_detail_url(viewset, submission))
        form = ReviewForm(
            request.POST,
            submission=submission,
            decisions=decisions,
            earlier=earlier_review(submission),
        )
        if form.is_valid() and _take_action(
            request, submission, form.cleaned_data["decision"], form
        ):
            return redirect(_detail_url(viewset, submission))
        return _show_failed_form(viewset, request, pk, form)

    return review_view


def _visible_file(request, pk, file_id):
    if not submission_permission_policy.user_has_permission(request.user, "view"):
        raise PermissionDenied
    submission = get_object_or_404(services.visible_submissions(request.user), pk=pk)
    return get_object_or_404(submission.files, pk=file_id)


def make_download_view(viewset):
    def download_view(request, pk, file_id):
        """The file as a download; with ?inline=1 a PDF or photo opens in the browser."""
        inline = request.GET.get("inline") == "1"
        return file_response(_visible_file(request, pk, file_id), inline=inline)

    return download_view


def make_page_view(viewset):
    def page_view(request, pk, file_id, number):
        """One page of a PDF file of the submission, drawn as an image."""
        return page_image_response(_visible_file(request, pk, file_id), number)

    return page_view


def make_receipt_view(viewset):
    def receipt_view(request, stamp_id):
        if not submission_permission_policy.user_has_permission(request.user, "view"):
            raise PermissionDenied
        stamp = get_object_or_404(
            ReceiptStamp.objects.select_related("submission", "received_by", "region", "division"),
            pk=stamp_id,
            submission__in=services.visible_submissions(request.user),
        )
        return TemplateResponse(
            request,
            "workflow/receipt_slip.html",
            {
                "stamp": stamp,
                "submission": stamp.submission,
                "back_url": _detail_url(viewset, stamp.submission),
            },
        )

    return receipt_view


class SubmissionHistoryView(HistoryView):
    """Wagtail's log of the submission (every transition is logged), for whoever may see it."""

    any_permission_required = ["view", "add", "change"]

    def get_base_object_queryset(self):
        return services.visible_submissions(self.request.user)


class SubmissionViewSet(ScopedObjectsViewSetMixin, ModelViewSet):
    """Every object view (inspect, edit, delete, history, usage) answers 404 for a submission the
    viewer may not see; the added views below look it up in the same queryset."""

    model = Submission
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Submissions")
    menu_order = 150
    add_to_admin_menu = True
    index_view_class = SubmissionIndexView
    add_view_class = SubmissionCreateView
    edit_view_class = SubmissionEditView
    inspect_view_enabled = True
    inspect_view_class = SubmissionDetailView
    history_view_class = SubmissionHistoryView
    copy_view_enabled = False

    def scoped_objects(self, user):
        return services.visible_submissions(user)

    def get_form_class(self, for_update=False):
        return SubmissionAdminForm

    def get_edit_handler(self):
        # The form's sections; the form class stays SubmissionAdminForm (get_form_class).
        return submission_panels().bind_to_model(Submission)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                "action/<int:pk>/<str:name>/",
                make_transition_view(self),
                name="transition",
            ),
            path(
                "file/<int:pk>/<int:file_id>/",
                make_download_view(self),
                name="download",
            ),
            path(
                "file/<int:pk>/<int:file_id>/page/<int:number>/",
                make_page_view(self),
                name="page",
            ),
            path("review/<int:pk>/", make_review_view(self), name="review"),
            path("receipt/<int:stamp_id>/", make_receipt_view(self), name="receipt"),
        ]


submission_viewset = SubmissionViewSet("submissions")


# --------------------------------------------------------------------------------------------
# Bulk receive
# --------------------------------------------------------------------------------------------


class ReceiveBulkAction(BulkAction):
    """Receive several submitted (or endorsed) items at once; each gets its own stamp, and each
    result (control number or the reason it was refused) is reported separately."""

    display_name = gettext_lazy("Receive and stamp")
    action_type = "receive"
    aria_label = gettext_lazy("Receive the selected submissions")
    template_name = "workflow/bulk_receive.html"
    action_priority = 10
    models = [Submission]

    def receive_action(self, submission):
        available = services.available_transitions(self.request.user, submission)
        return next((name for name in RECEIVE_ACTIONS if name in available), None)

    def check_perm(self, submission):
        return self.receive_action(submission) is not None

    def get_all_objects_in_listing_query(self, parent_id):
        return services.visible_submissions(self.request.user).values_list("pk", flat=True)

    def get_actionable_objects(self):
        ids = self.request.GET.getlist("id")
        if "all" in ids:
            ids = list(self.get_all_objects_in_listing_query(None))
        visible = services.visible_submissions(self.request.user).filter(
            pk__in=[int(i) for i in ids if str(i).isdigit()]
        )
        objects, no_access = [], []
        for submission in visible.order_by("created_at"):
            (objects if self.check_perm(submission) else no_access).append(submission)
        return objects, {"items_with_no_access": no_access}

    def object_context(self, submission):
        return {
            "item": submission,
            "url": reverse(submission_viewset.get_url_name("inspect"), args=[submission.pk]),
            "missing": missing_requirements(submission),
        }

    def get_execution_context(self):
        return {"action": self}

    @classmethod
    def execute_action(cls, objects, action=None, **kwargs):
        request = action.request
        received = 0
        for submission in objects:
            name = action.receive_action(submission)
            try:
                services.perform_transition(request.user, submission, name)
            except WorkflowError as error:
                detail = error.message
                messages.error(
                    request,
                    _("“%(title)s” was not received: %(reason)s")
                    % {"title": submission.title, "reason": detail},
                )
                continue
            stamp = submission.receipts.order_by("-received_at").first()
            messages.success(
                request,
                _("“%(title)s” received: control number %(number)s.")
                % {"title": submission.title, "number": stamp.control_number},
                buttons=[
                    messages.button(
                        reverse("submissions:receipt", args=[stamp.pk]), _("Print receipt slip")
                    )
                ],
            )
            received += 1
        return received, 0


# --------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------


class MyTasksPanel(Component):
    """The dashboard's "My tasks": what waits on the user or on a pool they belong to.

    Submissions first (this app's own), then every other app's task groups (snapshots to review,
    forms due, transfer requests...), gathered through organisation.dashboard's provider hook so
    this app imports none of them."""

    name = "my_tasks"
    template_name = "workflow/panels/my_tasks.html"
    order = 50
    limit = 25

    class Media:
        css = {"all": ["css/admin-dashboard.css"]}

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        tasks = list(services.tasks_for(self.user)[: self.limit + 1])
        rows = [
            {
                "submission": s,
                "url": reverse(submission_viewset.get_url_name("inspect"), args=[s.pk]),
                "overdue": services.is_overdue(s.journey),
                "actions": [
                    TRANSITION_LABELS.get(n, n)
                    for n in services.available_transitions(self.user, s)
                ],
            }
            for s in tasks[: self.limit]
        ]
        groups = task_groups_for(self.user)
        context.update(
            {
                "rows": rows,
                "groups": groups,
                "more": len(tasks) > self.limit,
                "overdue_count": sum(1 for r in rows if r["overdue"])
                + sum(group.overdue_count for group in groups),
                "index_url": reverse(submission_viewset.get_url_name("index")),
            }
        )
        return context


class MyItemsPanel(Component):
    """The dashboard's "My items in progress": the user's own submissions that an office has
    now, each with its route and who has it since when (what waits on the user themselves,
    drafts and returned items, is in "My tasks")."""

    name = "my_items"
    template_name = "workflow/panels/my_items.html"
    order = 60
    limit = 25

    class Media:
        # The route's styles are the submission page's.
        css = {"all": ["css/admin-submission.css"]}

    def __init__(self, user):
        self.user = user

    @staticmethod
    def items_of(user):
        return (
            services.visible_submissions(user)
            .filter(created_by=user, journey__state__in=WAITING_STATES)
            .select_related("journey__claimed_by")
            .order_by("journey__state_changed_at")
        )

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        items = list(self.items_of(self.user)[: self.limit + 1])
        context.update(
            {
                "rows": [
                    {
                        "submission": s,
                        "url": reverse(submission_viewset.get_url_name("inspect"), args=[s.pk]),
                        "route": route_of(s),
                    }
                    for s in items[: self.limit]
                ],
                "more": len(items) > self.limit,
                "index_url": reverse(submission_viewset.get_url_name("index")),
            }
        )
        return context
