"""Forms of the staff UI: a submission with its files, and one form per workflow action.

The action forms only collect input; `workflow.services.perform_transition` validates it again
and decides, so the admin and the API obey the same rules.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from organisation.models import Level, Role
from organisation.scope import assignments_for, scope_for
from repository.forms import SubmissionForm
from repository.models import ReturnReason, SubmissionFile

from .review import sheet_for
from .services import REASON_REQUIRED, REVIEW_REQUIRED

FILE_FIELDS = [
    ("main_file", SubmissionFile.Role.MAIN),
    ("ip_declaration_file", SubmissionFile.Role.IP_DECLARATION),
    ("consent_file", SubmissionFile.Role.CONSENT),
    ("supporting_file", SubmissionFile.Role.SUPPORTING),
    ("photo_file", SubmissionFile.Role.PHOTO),
]
FILE_HELP = {
    SubmissionFile.Role.MAIN: _("The scanned soft copy or the document itself (PDF, DOCX ...)."),
    SubmissionFile.Role.IP_DECLARATION: _("Required for learning resources."),
    SubmissionFile.Role.CONSENT: _("Required when a learner is named or pictured."),
    SubmissionFile.Role.SUPPORTING: _("Any other supporting document."),
    SubmissionFile.Role.PHOTO: _("A photo for a success story."),
}


class SubmissionAdminForm(SubmissionForm):
    """The submission form plus one upload field per file role. Uploading again to a role that
    already has a file adds a new version; older versions are kept."""

    def __init__(self, *args, **kwargs):
        user = kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and user is not None and submits_for_several_units(user):
            self._add_origin_fields(user)
        for name, role in FILE_FIELDS:
            self.fields[name] = forms.FileField(
                label=role.label, required=False, help_text=FILE_HELP[role]
            )

    def _add_origin_fields(self, user):
        """Who submits for more than one unit (or an administrator) says which one."""
        scope = scope_for(user)
        self.fields["origin_level"] = forms.ChoiceField(
            label=_("Submitted by the"),
            choices=[("", "---------"), *Level.choices],
            required=False,
            help_text=_("You submit for more than one unit: choose which one this comes from."),
        )
        self.fields["division"] = forms.ModelChoiceField(
            label=_("Division"), queryset=scope.divisions().order_by("name"), required=False
        )
        self.fields["district"] = forms.ModelChoiceField(
            label=_("District"),
            queryset=scope.districts().select_related("division").order_by("name"),
            required=False,
        )

    def uploads(self):
        """[(role, uploaded file)] for the file fields that were filled in."""
        return [
            (role, self.cleaned_data[name])
            for name, role in FILE_FIELDS
            if self.cleaned_data.get(name)
        ]

    def field_for_role(self, role):
        return next(name for name, r in FILE_FIELDS if r == role)


def submits_for_several_units(user):
    """Administrators and users who submit for more than one unit choose the origin."""
    if user.is_superuser:
        return True
    units = {
        (a.role, a.level, a.region_id, a.division_id, a.district_id)
        for a in assignments_for(
            user, [Role.ALS_TEACHER, Role.EPSA, Role.REGIONAL_ALS, Role.SYSTEM_ADMINISTRATOR]
        )
    }
    return len(units) > 1


SCORE_CHOICES = [(4, "4"), (3, "3"), (2, "2"), (1, "1")]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class TransitionForm(forms.Form):
    """Input for one action on one submission: the version the user saw, a comment, and where
    the action needs them, return reasons and the rating sheet or checklist."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, submission, name, **kwargs):
        kwargs.setdefault("prefix", name)
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.name = name
        self.sheet = None
        self.factor_rows = []
        if name in REASON_REQUIRED:
            self.fields["reasons"] = forms.ModelMultipleChoiceField(
                label=_("Reasons"),
                queryset=ReturnReason.objects.filter(
                    applies_to=REASON_REQUIRED[name], is_active=True
                ),
                to_field_name="code",
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Choose the reasons, or explain in the comment."),
            )
        if name in REVIEW_REQUIRED:
            self._add_review_fields()

    def _add_review_fields(self):
        self.sheet = sheet_for(self.submission)
        scored = bool(self.sheet["scale"])
        for factor in self.sheet["factors"]:
            rows = []
            for item in factor["items"]:
                key = item["key"]
                self.fields[f"item_{key}"] = forms.TypedChoiceField(
                    label=item["label"],
                    choices=SCORE_CHOICES if scored else YES_NO,
                    coerce=int if scored else (lambda value: value == "yes"),
                    widget=forms.RadioSelect,
                )
                if scored:
                    self.fields[f"note_{key}"] = forms.CharField(
                        label=_("Comment on this item"),
                        required=False,
                        help_text=_("Needed for a rating below 4."),
                    )
                rows.append(key)
            self.factor_rows.append((factor, rows))

    @property
    def needs_review(self):
        return self.sheet is not None

    @property
    def needs_reasons(self):
        return "reasons" in self.fields

    def review_sections(self):
        """[(factor, [(item field, note field or None)])] for rendering the sheet."""
        return [
            (
                factor,
                [
                    (
                        self[f"item_{key}"],
                        self[f"note_{key}"] if f"note_{key}" in self.fields else None,
                    )
                    for key in keys
                ],
            )
            for factor, keys in self.factor_rows
        ]

    def review_payload(self):
        """The review as `perform_transition` takes it, or None for actions without one."""
        if not self.needs_review:
            return None
        data = self.cleaned_data
        items, notes = {}, {}
        for _factor, keys in self.factor_rows:
            for key in keys:
                items[key] = data.get(f"item_{key}")
                note = (data.get(f"note_{key}") or "").strip()
                if note:
                    notes[key] = note
        return {"items": items, "item_comments": notes, "comment": data.get("comment", "")}

    def reason_codes(self):
        if not self.needs_reasons:
            return None
        return [reason.code for reason in self.cleaned_data.get("reasons") or []]

    def _field_for(self, key):
        """The form field a service error about `key` belongs to, or None."""
        if key in self.fields:
            return key
        if f"item_{key}" in self.fields:
            # The item was scored, so the complaint is about its missing comment.
            answered = self.cleaned_data.get(f"item_{key}") not in (None, "")
            if answered and f"note_{key}" in self.fields:
                return f"note_{key}"
            return f"item_{key}"
        return None

    def add_service_errors(self, details, message):
        """Put the service's field messages next to the fields they concern."""
        if not isinstance(details, dict) or not details:
            self.add_error(None, message)
            return
        for key, messages in details.items():
            target = self._field_for(key)
            for text in messages:
                if target is None:
                    self.add_error(None, f"{message} {text}")
                else:
                    self.add_error(target, text)
