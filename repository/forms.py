"""The form for creating and editing a draft submission (used by the Wagtail admin and the API)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Submission, school_year_validator
from .services import required_fields

NEEDED_TO_SUBMIT = _("Needed to submit.")

KIND_FIELDS = {
    Submission.Kind.LEARNING_RESOURCE: [
        "learning_strands",
        "program",
        "curriculum_level",
        "material_type",
        "resource_type",
        "education_type",
        "intended_users",
        "competencies",
        "content_topic",
        "objectives",
        "accessibility",
        "developer",
        "copyright",
        "copyright_owner",
    ],
    Submission.Kind.RESEARCH: ["research_type", "adviser", "year_completed"],
    Submission.Kind.SUCCESS_STORY: ["learner_featured", "learner_named_or_pictured"],
}
COMMON_FIELDS = ["kind", "title", "summary", "authors", "keywords", "languages", "school_year"]


class SubmissionForm(forms.ModelForm):
    """Metadata of a submission. A draft may be saved incomplete; submitting it needs what
    `repository.services.missing_items` lists, and the form names those fields in
    `required_to_submit` (for a new submission: what any kind needs, since each kind shows only
    its own fields). Where the submission comes from (region, division, district) and who made
    it are set by the workflow service, never by the form.
    """

    class Meta:
        model = Submission
        fields = COMMON_FIELDS + [f for names in KIND_FIELDS.values() for f in names]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "competencies": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "languages": forms.CheckboxSelectMultiple,
            "learning_strands": forms.CheckboxSelectMultiple,
            "intended_users": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("languages", "learning_strands", "intended_users"):
            field = self.fields[name]
            field.queryset = field.queryset.filter(is_active=True)
        if self.instance.pk:
            # The kind decides the rating sheet and the completeness rules; it is fixed once saved.
            self.fields["kind"].disabled = True
        self.required_to_submit = self._required_to_submit()
        for name in self.required_to_submit & set(self.fields):
            field = self.fields[name]
            # Not `required`: a draft is saved without them. Said in words beside the field (its
            # help text is what screen readers announce with it), and marked * by the admin.
            field.help_text = " ".join(
                str(part) for part in (field.help_text, NEEDED_TO_SUBMIT) if part
            )

    @property
    def fixed_kind(self):
        """The kind of a saved submission (which cannot change), else None."""
        return self.instance.kind if self.instance.pk else None

    def _required_to_submit(self):
        kinds = [self.fixed_kind] if self.fixed_kind else list(Submission.Kind)
        return {name for kind in kinds for name in required_fields(kind)}

    def clean_school_year(self):
        value = (self.cleaned_data.get("school_year") or "").strip()
        if value:
            if not school_year_validator.regex.fullmatch(value):
                raise forms.ValidationError(school_year_validator.message)
            start, end = (int(part) for part in value.split("-"))
            if end != start + 1:
                raise forms.ValidationError(
                    _("A school year spans two consecutive years, e.g. 2025-2026.")
                )
        return value

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or self.instance.kind
        # Fields of the other kinds are dropped so a change of mind leaves no stray metadata.
        for other_kind, names in KIND_FIELDS.items():
            if other_kind == kind:
                continue
            for name in names:
                if name not in cleaned:
                    continue
                field = self.fields[name]
                if isinstance(field, forms.ModelMultipleChoiceField):
                    cleaned[name] = field.queryset.none()
                elif isinstance(field, forms.BooleanField):
                    cleaned[name] = False
                elif isinstance(field, forms.ModelChoiceField | forms.IntegerField):
                    cleaned[name] = None
                else:
                    cleaned[name] = ""
        return cleaned
