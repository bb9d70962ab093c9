"""The form of "Prepare an award batch": the recognition day and the awardees list."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from learners.forms import DateInput
from organisation.models import Division

from . import roster
from .models import Achievement
from .services import MAX_SIGNATORIES

#: Signatory rows the form offers (name and position each, as many as a certificate prints);
#: the first is required.
SIGNATORY_ROWS = MAX_SIGNATORIES


class PrepareBatchForm(forms.Form):
    """Division (one the user may prepare batches for), achievements, date, venue, signatories and
    the list file."""

    division = forms.ModelChoiceField(
        label=_("Division"),
        queryset=Division.objects.none(),
        empty_label=_("Choose…"),
        error_messages={"required": _("Choose the division.")},
    )
    achievements = forms.ModelMultipleChoiceField(
        label=_("Micro-credentials awarded"),
        queryset=Achievement.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one micro-credential.")},
    )
    ceremony_date = forms.DateField(label=_("Date of the recognition day"), widget=DateInput())
    venue = forms.CharField(label=_("Venue"), max_length=200)
    file = forms.FileField(
        label=_("Awardees list"),
        help_text=_(
            "An .xlsx or .csv file with the columns LRN, Last Name, First Name, Middle Name, "
            "Name Extension, Sex, Birthdate, Narrative (the narrative is optional)."
        ),
        error_messages={"required": _("Choose the file of the awardees list.")},
    )

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions
        for index in range(1, SIGNATORY_ROWS + 1):
            required = index == 1
            self.fields[f"signatory_{index}_name"] = forms.CharField(
                label=_("Signatory %(number)s: name") % {"number": index},
                max_length=120,
                required=required,
            )
            self.fields[f"signatory_{index}_position"] = forms.CharField(
                label=_("Signatory %(number)s: position") % {"number": index},
                max_length=160,
                required=required,
            )
        # The file last, after the signatories.
        self.order_fields([name for name in self.fields if name != "file"] + ["file"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before it is read: the size the server measured, not what the client said.
        if upload.size > roster.max_bytes():
            raise ValidationError(
                _(
                    "The file is %(size)s bytes; an awardees list may be at most %(limit)s "
                    "bytes. Split it into several batches."
                )
                % {"size": f"{upload.size:,}", "limit": f"{roster.max_bytes():,}"}
            )
        return upload

    def clean(self):
        data = super().clean()
        signatories = []
        for index in range(1, SIGNATORY_ROWS + 1):
            name = (data.get(f"signatory_{index}_name") or "").strip()
            position = (data.get(f"signatory_{index}_position") or "").strip()
            if name and not position:
                self.add_error(f"signatory_{index}_position", _("Give the signatory's position."))
            elif position and not name:
                self.add_error(f"signatory_{index}_name", _("Give the signatory's name."))
            elif name:
                signatories.append({"name": name, "position": position})
        data["signatories"] = signatories
        return data

    def signatory_rows(self):
        """[(name field, position field)] for the template's table of signatories."""
        return [
            (self[f"signatory_{index}_name"], self[f"signatory_{index}_position"])
            for index in range(1, SIGNATORY_ROWS + 1)
        ]

    def other_fields(self):
        return [self[name] for name in ("division", "achievements", "ceremony_date", "venue")]
