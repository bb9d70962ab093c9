"""Staff views of the micro-credentials: achievements, assessments, award batches and awards.

Every view asks credentials.services (which asks organisation.scope) what the user may see and do:
a batch or award outside the user's divisions is a 404 even by URL, an action outside their role
a 403 or a message. The printing itself is credentials.certificates'.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from learners.services import find_by_lrn, learners_visible_to
from organisation.scope import learner_data_scope, scope_for

from . import services
from .forms import (
    AchievementForm,
    AssessmentForm,
    BatchActionForm,
    FindLearnerForm,
    ReissueForm,
    RevokeForm,
)
from .models import Achievement, Assessment, AwardState, BatchState

PAGE_SIZE = 100


def may_use_credentials(user):
    """Whether the user sees the micro-credential screens at all: a role somewhere."""
    return user.is_superuser or not scope_for(user).is_empty


def may_see_batches(user):
    """Whether the user sees award batches and awards: a learner-data role somewhere (the
    batches themselves are those of services.batches_visible_to)."""
    return user.is_superuser or not learner_data_scope(user).is_empty


def pdf_response(content, filename, *, inline=True):
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class CredentialsPage(WagtailAdminTemplateMixin, TemplateView):
    """Base: Wagtail's furniture, and only for someone with a role somewhere."""

    header_icon = "pick"
    index_url_name = ""
    index_label = ""

    def dispatch(self, request, *args, **kwargs):
        if not may_use_credentials(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items]
        if self.index_url_name:
            items.append({"url": reverse(self.index_url_name), "label": self.index_label})
        return [*items, {"url": "", "label": self.get_page_title()}]


# --- achievements ------------------------------------------------------------------------------


class AchievementIndexView(CredentialsPage):
    template_name = "credentials/achievements.html"
    page_title = gettext_lazy("Micro-credentials")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            achievements=Achievement.objects.all(),
            may_define=services.may_define(self.request.user),
        )
        return context


class AchievementEditView(CredentialsPage):
    """Create (no pk) or edit an achievement; read-only for whoever may not define them."""

    template_name = "credentials/achievement_form.html"
    index_url_name = "credentials:achievements"
    index_label = gettext_lazy("Micro-credentials")

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        self.achievement = get_object_or_404(Achievement, pk=pk) if pk else None
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        if self.achievement is None:
            return _("New micro-credential")
        return str(self.achievement)

    def get(self, request, *args, **kwargs):
        if self.achievement is None and not services.may_define(request.user):
            raise PermissionDenied
        return self.render(AchievementForm(instance=self.achievement))

    def post(self, request, *args, **kwargs):
        if not services.may_define(request.user):
            raise PermissionDenied
        form = AchievementForm(request.POST, instance=self.achievement)
        if not form.is_valid():
            return self.render(form, status=400)
        achievement = form.save()
        messages.success(request, _("%(name)s is saved.") % {"name": achievement})
        return redirect("credentials:achievements")

    def render(self, form, status=200):
        may_define = services.may_define(self.request.user)
        if not may_define:
            for field in form.fields.values():
                field.disabled = True
        context = self.get_context_data(
            form=form, achievement=self.achievement, may_define=may_define
        )
        return self.render_to_response(context, status=status)


# --- assessments -------------------------------------------------------------------------------


class AssessmentStartView(CredentialsPage):
    """Find the learner (by LRN) and the achievement to rate."""

    template_name = "credentials/assessment_start.html"
    page_title = gettext_lazy("Record an assessment")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not services.may_prepare_somewhere(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        form = FindLearnerForm(request.GET or None)
        if form.is_valid():
            learner = find_by_lrn(form.cleaned_data["lrn"], learners_visible_to(request.user))
            if learner is None:
                form.add_error("lrn", _("No learner of your divisions has this LRN."))
            else:
                return redirect(
                    "credentials:assess", learner.pk, form.cleaned_data["achievement"].slug
                )
        return self.render_to_response(self.get_context_data(form=form))


class AssessmentView(CredentialsPage):
    """One learner's ratings on every element of one achievement, and whether they qualify."""

    template_name = "credentials/assessment.html"
    index_url_name = "credentials:assessments"
    index_label = gettext_lazy("Record an assessment")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not may_use_credentials(request.user):
            raise PermissionDenied
        self.learner = get_object_or_404(learners_visible_to(request.user), pk=kwargs["learner"])
        self.achievement = get_object_or_404(Achievement, slug=kwargs["slug"])
        if not services.may_prepare(request.user, self.learner.division):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("%(achievement)s: %(learner)s") % {
            "achievement": self.achievement,
            "learner": self.learner.full_name,
        }

    def current(self):
        found = Assessment.objects.filter(learner=self.learner, achievement=self.achievement)
        return {assessment.element: assessment for assessment in found}

    def form(self, data=None):
        current = self.current()
        assessed = max((a.assessed_on for a in current.values()), default=None)
        return AssessmentForm(
            data,
            achievement=self.achievement,
            current=current,
            initial={"assessed_on": assessed},
        )

    def render(self, form, status=200):
        qualified, summary = services.qualifies(self.learner, self.achievement)
        context = self.get_context_data(
            form=form,
            learner=self.learner,
            achievement=self.achievement,
            qualified=qualified,
            summary=summary,
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(self.form())

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            for element, ratings in form.ratings():
                services.record_assessment(
                    request.user,
                    self.learner,
                    self.achievement,
                    element,
                    assessed_on=form.cleaned_data["assessed_on"],
                    **ratings,
                )
        except services.CredentialError as error:
            form.add_error(None, str(error))
            return self.render(form, status=error.status_code)
        messages.success(request, _("The ratings are saved."))
        return redirect("credentials:assess", self.learner.pk, self.achievement.slug)


# --- award batches -----------------------------------------------------------------------------


class BatchPage(CredentialsPage):
    """Base of the batch and award pages: for the roles that see learner data."""

    def dispatch(self, request, *args, **kwargs):
        if not may_see_batches(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class BatchIndexView(BatchPage):
    template_name = "credentials/batches.html"
    page_title = gettext_lazy("Award batches")
    header_icon = "folder-open-inverse"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = services.batches_visible_to(self.request.user).select_related("division")
        state = self.request.GET.get("state")
        if state in BatchState.values:
            queryset = queryset.filter(state=state)
        page = Paginator(queryset.prefetch_related("achievements"), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        context.update(page=page, states=BatchState.choices, selected_state=state)
        return context


def batch_actions(user, batch):
    """The actions the batch's state allows and the user may take: [(name, label)]."""
    actions = []
    if services.may_approve(user, batch):
        actions.append(("approve", _("Approve")))
    may_prepare = services.may_prepare(user, batch.division)
    if batch.state == BatchState.APPROVED and may_prepare:
        actions.append(("issue", _("Issue the certificates")))
    if batch.state in (BatchState.DRAFT, BatchState.APPROVED) and may_prepare:
        actions.append(("cancel", _("Cancel the batch")))
    return actions


class BatchDetailView(CredentialsPage):
    template_name = "credentials/batch.html"
    index_url_name = "credentials:batches"
    index_label = gettext_lazy("Award batches")
    header_icon = "folder-open-inverse"

    def dispatch(self, request, *args, **kwargs):
        if not may_use_credentials(request.user):
            raise PermissionDenied
        queryset = services.batches_visible_to(request.user).select_related("division__region")
        self.batch = get_object_or_404(queryset, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.batch)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        context.update(
            batch=batch,
            achievements=batch.achievements.all(),
            members=batch.members.select_related("learner").order_by("name_as_printed"),
            awards=batch.awards.select_related("achievement").order_by(
                "name_as_printed", "achievement__name"
            ),
            actions=batch_actions(self.request.user, batch),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = BatchActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose an action."))
            return redirect("credentials:batch", self.batch.pk)
        action = form.cleaned_data["action"]
        operation = {
            "approve": services.approve_batch,
            "issue": services.issue_batch,
            "cancel": services.cancel_batch,
        }[action]
        try:
            operation(request.user, self.batch)
        except (services.CredentialError, PermissionDenied) as error:
            messages.error(request, str(error) or _("You may not do this."))
        else:
            done = {
                "approve": _("The batch is approved."),
                "issue": _("The certificates are issued."),
                "cancel": _("The batch is cancelled."),
            }[action]
            messages.success(request, done)
        return redirect("credentials:batch", self.batch.pk)


class BatchPdfView(View):
    """The recognition day's certificates, one page per learner."""

    def get(self, request, pk):
        from . import certificates

        batch = get_object_or_404(services.batches_visible_to(request.user), pk=pk)
        if batch.state != BatchState.ISSUED:
            messages.error(request, _("Certificates are printed once the batch is issued."))
            return redirect("credentials:batch", batch.pk)
        content = certificates.batch_pdf(batch)
        return pdf_response(content, f"certificates-{batch.division.slug}-{batch.pk}.pdf")


# --- awards ------------------------------------------------------------------------------------


class AwardIndexView(BatchPage):
    template_name = "credentials/awards.html"
    page_title = gettext_lazy("Awards")
    header_icon = "pick"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        queryset = services.awards_visible_to(user).select_related("achievement", "batch__division")
        get = self.request.GET
        selected = {key: get.get(key, "") for key in ("division", "achievement", "batch", "state")}
        if selected["division"]:
            queryset = queryset.filter(batch__division__slug=selected["division"])
        if selected["achievement"]:
            queryset = queryset.filter(achievement__slug=selected["achievement"])
        if selected["batch"].isdigit():
            queryset = queryset.filter(batch_id=int(selected["batch"]))
        if selected["state"] in AwardState.values:
            queryset = queryset.filter(state=selected["state"])
        page = Paginator(queryset.order_by("-issued_on", "name_as_printed", "pk"), PAGE_SIZE)
        context.update(
            page=page.get_page(get.get("page")),
            divisions=learner_data_scope(user).divisions().order_by("name"),
            achievements=Achievement.objects.all(),
            batches=services.batches_visible_to(user).filter(state=BatchState.ISSUED)[:200],
            states=AwardState.choices,
            selected=selected,
        )
        return context


def may_change_award(user, award):
    """Whether the page offers Revoke and Re-issue: a valid award and a user who may amend it."""
    return award.state == AwardState.VALID and services.may_amend(user, award)


class AwardDetailView(CredentialsPage):
    template_name = "credentials/award.html"
    index_url_name = "credentials:awards"
    index_label = gettext_lazy("Awards")

    def dispatch(self, request, *args, **kwargs):
        if not may_use_credentials(request.user):
            raise PermissionDenied
        queryset = services.awards_visible_to(request.user).select_related(
            "achievement", "batch__division", "replaced_by"
        )
        self.award = get_object_or_404(queryset, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.award)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        award = self.award
        # The reverse one-to-one raises when there is none; getattr's default catches it.
        replaces = getattr(award, "replaces", None)
        context.update(
            award=award,
            replaces=replaces,
            may_change=may_change_award(self.request.user, award),
            revoke_form=kwargs.get("revoke_form") or RevokeForm(),
            reissue_form=kwargs.get("reissue_form")
            or ReissueForm(initial={"name_as_printed": award.name_as_printed}),
        )
        return context

    def changed_meanwhile(self, error):
        """Someone else revoked or re-issued the award since this page was shown: the award's
        page as it is now, with why this action was refused (not the page as it was)."""
        messages.error(self.request, error.message)
        return redirect("credentials:award", self.award.pk)

    def post(self, request, *args, **kwargs):
        award = self.award
        # The state is the service's to check, under the award's lock: a page shown before
        # someone else's revoke gets the 409's message, not a permission error.
        if not services.may_amend(request.user, award):
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "revoke":
            form = RevokeForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(revoke_form=form), status=400)
            try:
                services.revoke_award(request.user, award, form.cleaned_data["reason"])
            except services.CredentialError as error:
                if error.status_code == 409:
                    return self.changed_meanwhile(error)
                form.add_error(None, str(error))
                context = self.get_context_data(revoke_form=form)
                return self.render_to_response(context, status=error.status_code)
            messages.success(request, _("The award is revoked."))
            return redirect("credentials:award", award.pk)
        if action == "reissue":
            form = ReissueForm(request.POST)
            if not form.is_valid():
                context = self.get_context_data(reissue_form=form)
                return self.render_to_response(context, status=400)
            try:
                new = services.reissue_award(
                    request.user, award, name_as_printed=form.cleaned_data["name_as_printed"]
                )
            except services.CredentialError as error:
                if error.status_code == 409:
                    return self.changed_meanwhile(error)
                form.add_error(None, str(error))
                context = self.get_context_data(reissue_form=form)
                return self.render_to_response(context, status=error.status_code)
            messages.success(request, _("A new certificate replaces this one."))
            return redirect("credentials:award", new.pk)
        messages.error(request, _("Choose an action."))
        return redirect("credentials:award", award.pk)


class AwardPdfView(View):
    """One learner's certificate on its own."""

    def get(self, request, pk):
        from . import certificates

        award = get_object_or_404(services.awards_visible_to(request.user), pk=pk)
        return pdf_response(certificates.award_pdf(award), f"certificate-{award.code}.pdf")
