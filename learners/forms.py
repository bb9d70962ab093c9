"""Forms of the enrolment flow (seed 001) and the oversight views."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Learner, LearnerAccessLog, LearnerAlias, SchoolYearCycle, validate_lrn
from .search_keys import fold_name
from .transfers import ACTIONS
from .vocab import DeliveryMode, Program

ADDRESS_PARTS = (
    ("street", _("House no. / street / sitio / purok")),
    ("barangay", _("Barangay")),
    ("municipality", _("Municipality / city")),
    ("province", _("Province")),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ConfirmSourceForm(forms.Form):
    """Step 2: the encoder confirms where the learner data comes from."""

    confirmed = forms.BooleanField(
        label=_(
            "I confirm the data comes from the learner's ALS Enrolment Form (AF2) and the PSA birth "
            "certificate or an equivalent document, and will double-check the LRN and personal data."
        )
    )


class LearnerSearchForm(forms.Form):
    """Step 3: search by LRN or by name (optionally with the birthdate)."""

    lrn = forms.CharField(label=_("LRN"), required=False, max_length=12)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    birthdate = forms.DateField(label=_("Birthdate"), required=False, widget=DateInput())

    def clean_lrn(self):
        lrn = self.cleaned_data["lrn"].strip()
        if lrn:
            validate_lrn(lrn)
        return lrn

    def clean(self):
        data = super().clean()
        names = fold_name(data.get("last_name")) + fold_name(data.get("first_name"))
        if not data.get("lrn") and not names:
            raise ValidationError(_("Enter an LRN, or at least a last or first name."))
        return data


class LearnerForm(forms.ModelForm):
    """The AF2 personal data (the address is four fields stored as one encrypted value)."""

    street = forms.CharField(label=ADDRESS_PARTS[0][1], required=False, max_length=200)
    barangay = forms.CharField(label=ADDRESS_PARTS[1][1], required=False, max_length=120)
    municipality = forms.CharField(label=ADDRESS_PARTS[2][1], required=False, max_length=120)
    province = forms.CharField(label=ADDRESS_PARTS[3][1], required=False, max_length=120)
    is_4ps_beneficiary = forms.TypedChoiceField(
        label=_("4Ps beneficiary"),
        choices=[("", _("Not stated")), ("yes", _("Yes")), ("no", _("No"))],
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )

    class Meta:
        model = Learner
        fields = [
            "lrn",
            "last_name",
            "first_name",
            "middle_name",
            "name_extension",
            "sex",
            "birthdate",
            "birthplace",
            "civil_status",
            "religion",
            "mother_tongue",
            "mother_tongue_other",
            "ethnic_group",
            "disability",
            "mothers_maiden_name",
            "contact_number",
            "last_grade_completed",
            "date_mapped",
            "interested_in_als",
            "remark",
        ]
        widgets = {
            "birthdate": DateInput(),
            "date_mapped": DateInput(),
            "birthplace": forms.TextInput(),
            "religion": forms.TextInput(),
            "ethnic_group": forms.TextInput(),
            "disability": forms.TextInput(),
            "mothers_maiden_name": forms.TextInput(),
            "contact_number": forms.TextInput(),
            "remark": forms.Textarea(attrs={"rows": 2}),
        }

    SENSITIVE_FORM_FIELDS = (
        "birthplace",
        "civil_status",
        "religion",
        "ethnic_group",
        "disability",
        "mothers_maiden_name",
        "contact_number",
        "street",
        "barangay",
        "municipality",
        "province",
        "is_4ps_beneficiary",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        address = (self.instance.address or {}) if self.instance.pk else {}
        for name, _label in ADDRESS_PARTS:
            self.fields[name].initial = address.get(name, "")
        if self.instance.pk:
            value = self.instance.is_4ps_beneficiary
            self.fields["is_4ps_beneficiary"].initial = {True: "yes", False: "no"}.get(value, "")
            # The LRN of an existing record changes only through a merge.
            self.fields["lrn"].disabled = True

    def clean_lrn(self):
        lrn = self.cleaned_data["lrn"]
        if not self.instance.pk and (
            Learner.objects.filter(lrn=lrn).exists()
            or LearnerAlias.objects.filter(lrn=lrn).exists()
        ):
            raise ValidationError(
                _("This LRN already belongs to a learner. Search by LRN and enrol that learner.")
            )
        return lrn

    def clean_birthdate(self):
        born = self.cleaned_data["birthdate"]
        if born and born > timezone.localdate():
            raise ValidationError(_("The birthdate cannot be in the future."))
        return born

    def clean_contact_number(self):
        number = (self.cleaned_data.get("contact_number") or "").strip()
        if number and not all(ch.isdigit() or ch in "+- ()" for ch in number):
            raise ValidationError(_("Use digits only, e.g. 09171234567."))
        return number

    def _post_clean(self):
        self.instance.address = {
            name: self.cleaned_data.get(name, "").strip()
            for name, _label in ADDRESS_PARTS
            if self.cleaned_data.get(name, "").strip()
        } or None
        self.instance.is_4ps_beneficiary = self.cleaned_data.get("is_4ps_beneficiary")
        super()._post_clean()

    def learner_data(self):
        """Cleaned values as keyword arguments for ``Learner`` (address and 4Ps folded in)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["address"] = self.instance.address
        data["is_4ps_beneficiary"] = self.instance.is_4ps_beneficiary
        return data


class EnrolmentForm(forms.Form):
    """Where and how the learner attends in one cycle."""

    cycle = forms.ModelChoiceField(
        label=_("School year / cycle"), queryset=SchoolYearCycle.objects.filter(is_open=True)
    )
    clc = forms.ModelChoiceField(label=_("Community Learning Center"), queryset=None)
    # Program and delivery mode start empty: the encoder chooses, nothing is assumed.
    program = forms.ChoiceField(
        label=_("Program"),
        choices=[("", _("Choose…")), *Program.choices],
        error_messages={"required": _("Choose the program the learner enrols in.")},
    )
    delivery_mode = forms.ChoiceField(
        label=_("Delivery mode"),
        choices=[("", _("Choose…")), *DeliveryMode.choices],
        error_messages={"required": _("Choose how the program is delivered to the learner.")},
    )
    date_first_attendance = forms.DateField(label=_("Date of first attendance"), widget=DateInput())

    def __init__(self, *args, clcs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clc"].queryset = clcs
        self.fields["clc"].label_from_instance = lambda c: f"{c.name} ({c.district.name})"


class NewLearnerForm(LearnerForm):
    """The New Record form: AF2 data, plus an explicit confirmation when near matches exist."""

    confirm_not_duplicate = forms.BooleanField(
        label=_(
            "I have checked the possible matches above: this is a different person and a new "
            "record is needed."
        ),
        required=False,
    )


class MergeForm(forms.Form):
    """Two LRNs of one person (the earlier registered record will prevail)."""

    lrn_a = forms.CharField(label=_("LRN of the first record"), validators=[validate_lrn])
    lrn_b = forms.CharField(label=_("LRN of the second record"), validators=[validate_lrn])
    reason = forms.CharField(
        label=_("Reason (e.g. RF01 reference)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    confirmed = forms.BooleanField(
        label=_("Both records describe the same person; merge them."), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("lrn_a") and data.get("lrn_a") == data.get("lrn_b"):
            raise ValidationError(_("Enter two different LRNs."))
        return data


class AccessLogFilterForm(forms.Form):
    lrn = forms.CharField(label=_("LRN"), required=False, max_length=12)
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any")), *LearnerAccessLog.Action.choices],
    )


class TransferRequestForm(forms.Form):
    """Ask the learner's current division to let the learner go to one of yours."""

    to_division = forms.ModelChoiceField(
        label=_("Transfer to (your division)"), queryset=None, empty_label=None
    )
    reason = forms.CharField(
        label=_("Reason (e.g. the learner moved to your area)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_division"].queryset = divisions


class TransferAnswerForm(forms.Form):
    """Accept, decline, approve, refuse or cancel a transfer request (declining needs a reason)."""

    action = forms.ChoiceField(choices=[(name, a.label) for name, a in ACTIONS.items()])
    note = forms.CharField(
        label=_("Reason or note (required to decline or refuse)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        action = ACTIONS.get(data.get("action"))
        if action is not None and action.needs_note and not (data.get("note") or "").strip():
            self.add_error("note", _("Give a reason."))
        return data
