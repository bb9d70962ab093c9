"""Forms of the staff screens: defining an achievement, recording ratings, revoking, re-issuing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Achievement, Rater

RATING_CHOICES = [("", "—"), *[(str(n), str(n)) for n in range(1, 5)]]


class AchievementForm(forms.ModelForm):
    """An achievement with its texts in English, Filipino and Ilokano; raters as checkboxes."""

    raters = forms.MultipleChoiceField(
        label=_("Raters"),
        choices=Rater.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Whose ratings count in the 360° assessment."),
    )

    class Meta:
        model = Achievement
        fields = [
            "slug",
            "name",
            "name_fil",
            "name_ilo",
            "description",
            "description_fil",
            "description_ilo",
            "competency_elements",
            "learning_strand",
            "pqf_level",
            "criteria_narrative",
            "assessment_method",
            "raters",
            "pass_minimum",
            "pass_mean",
            "validity_months",
            "certificate_wording",
            "certificate_wording_fil",
            "certificate_wording_ilo",
            "is_active",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "description",
                "description_fil",
                "description_ilo",
                "competency_elements",
                "criteria_narrative",
                "assessment_method",
                "certificate_wording",
                "certificate_wording_fil",
                "certificate_wording_ilo",
            )
        }

    def clean_raters(self):
        # Stored in the order of Rater, whatever order the browser sent.
        chosen = set(self.cleaned_data["raters"])
        return [value for value in Rater.values if value in chosen]

    def clean_pass_mean(self):
        mean = self.cleaned_data["pass_mean"]
        if mean is not None and not 1 <= mean <= 4:
            raise forms.ValidationError(_("The mean is between 1 and 4."))
        return mean

    def clean_competency_elements(self):
        text = self.cleaned_data["competency_elements"]
        if not [line for line in text.splitlines() if line.strip()]:
            raise forms.ValidationError(_("Name at least one competency element."))
        return text


class FindLearnerForm(forms.Form):
    """Which learner and achievement to record ratings for."""

    lrn = forms.CharField(label=_("LRN"), max_length=12)
    achievement = forms.ModelChoiceField(
        label=_("Micro-credential"),
        queryset=Achievement.objects.filter(is_active=True),
        to_field_name="slug",
    )


class AssessmentForm(forms.Form):
    """The ratings of one learner on every element of one achievement: one row per element and a
    field per counted rater, named ``<rater>_<row>``."""

    assessed_on = forms.DateField(label=_("Assessed on"), widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, achievement, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.achievement = achievement
        current = current or {}
        self.rows = []
        for index, element in enumerate(achievement.elements):
            names = []
            existing = current.get(element)
            for rater in achievement.raters:
                name = f"{rater}_{index}"
                self.fields[name] = forms.TypedChoiceField(
                    label=_("%(rater)s rating of “%(element)s”")
                    % {"rater": Rater(rater).label, "element": element},
                    choices=RATING_CHOICES,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=getattr(existing, f"{rater}_rating", None) if existing else None,
                )
                names.append(name)
            self.rows.append((index, element, names))

    def row_fields(self):
        """(element, [bound fields]) per row, for the template."""
        return [(element, [self[name] for name in names]) for _index, element, names in self.rows]

    def ratings(self):
        """(element, {"self_rating": n, ...}) per row, from the cleaned data."""
        result = []
        for index, element, _names in self.rows:
            values = {f"{rater}_rating": None for rater in Rater.values}
            for rater in self.achievement.raters:
                values[f"{rater}_rating"] = self.cleaned_data.get(f"{rater}_{index}")
            result.append((element, values))
        return result


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"), widget=forms.Textarea({"rows": 3}), max_length=2000
    )


class ReissueForm(forms.Form):
    name_as_printed = forms.CharField(label=_("Corrected name as printed"), max_length=300)


class BatchActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("issue", _("Issue")), ("cancel", _("Cancel"))]
    )
