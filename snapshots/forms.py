"""Admin forms for uploading, reviewing and consolidating snapshots."""

from django import forms
from django.utils.translation import gettext_lazy as _

from organisation.models import District, Division
from organisation.scope import scope_for

from .models import Form, Level, ReportingPeriod
from .services import CONSOLIDATE_ROLES, UPLOAD_ROLES


def upload_units(user):
    """(value, label) choices of the units this user may upload for: divisions, then districts."""
    division_scope = scope_for(user, UPLOAD_ROLES[Level.DIVISION])
    district_scope = scope_for(user, UPLOAD_ROLES[Level.DISTRICT])
    choices = []
    for division in Division.objects.order_by("name"):
        if division_scope.covers_division(division):
            choices.append(
                (division.slug, _("%(division)s (division)") % {"division": division.name})
            )
    for district in District.objects.select_related("division").order_by("division__name", "name"):
        if district_scope.covers_district(district):
            choices.append(
                (
                    f"{district.division.slug}/{district.code}",
                    f"{district.division.name} — {district.name}",
                )
            )
    return choices


#: The empty first option of a choice nobody may be assumed to want: the user picks one.
CHOOSE = ("", _("Choose…"))


def form_choice(**kwargs):
    """The AF form, starting empty (no form is assumed) and required with a plain message."""
    return forms.ChoiceField(
        label=_("Form"),
        choices=[CHOOSE, *Form.choices],
        error_messages={"required": _("Choose which form this is (AF1 to AF5).")},
        **kwargs,
    )


def period_choice():
    return forms.ModelChoiceField(
        label=_("Reporting period"),
        queryset=ReportingPeriod.objects.all(),
        empty_label=CHOOSE[1],
        error_messages={"required": _("Choose the reporting period.")},
    )


class UploadForm(forms.Form):
    form = form_choice()
    period = period_choice()
    unit = forms.ChoiceField(
        label=_("District or division"),
        error_messages={"required": _("Choose the district or division the file is for.")},
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("An .xlsx or .csv file in the official column order (download a template)."),
        error_messages={"required": _("Choose the file to upload.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [CHOOSE, *upload_units(user)]


class ActionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    comments = forms.CharField(
        label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConsolidateForm(forms.Form):
    form = form_choice()
    period = period_choice()
    division = forms.ModelChoiceField(
        label=_("Division"),
        queryset=Division.objects.none(),
        empty_label=CHOOSE[1],
        error_messages={"required": _("Choose the division.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user, CONSOLIDATE_ROLES)
        self.fields["division"].queryset = Division.objects.filter(
            pk__in=[d.pk for d in Division.objects.all() if scope.covers_division(d)]
        )


class PeriodChoiceForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Reporting period"), queryset=ReportingPeriod.objects.all()
    )
