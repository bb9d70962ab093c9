"""The public "Report a problem" form and the reviewer's triage form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, ProblemReport

# The honeypot: a field people never see (hidden by CSS and from screen readers) and leave
# empty; form-filling robots fill it. A filled one is refused (400), no CAPTCHA service needed.
HONEYPOT = "website"


class ReportForm(forms.Form):
    """What a reader tells: the kind of problem, what they saw, which file, an optional email."""

    category = forms.ChoiceField(
        label=_("What kind of problem?"), choices=Category.choices, widget=forms.RadioSelect
    )
    file = forms.ChoiceField(label=_("Which file?"), required=False)
    description = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example: the page, the question number and what it should say."),
    )
    email = forms.EmailField(
        label=_("Your email (optional)"),
        required=False,
        # The stored column's length (a form's EmailField alone accepts up to 320).
        max_length=ProblemReport._meta.get_field("email").max_length,
        help_text=_("Only to tell you what was done. It is not published."),
    )
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, files_offered=(), **kwargs):
        """`files_offered`: (value, label) of the page's current files."""
        super().__init__(*args, **kwargs)
        self.fields["file"].choices = [("", _("The page itself")), *files_offered]
        self.fields[HONEYPOT].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def is_robot(self):
        """Whether the honeypot was filled (read from the raw data: any value counts)."""
        return bool((self.data.get(HONEYPOT) or "").strip())


class TriageForm(forms.Form):
    """Dismiss with a note, or send the item back for a correction."""

    ACTIONS = (("dismiss", _("Dismiss")), ("correct", _("Send back for a correction")))

    action = forms.ChoiceField(choices=ACTIONS)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Dismissing: why (sent to the reader if they left an email). Correcting: what the "
            "submitter must correct (sent to them)."
        ),
    )
    public_note = forms.CharField(
        label=_("What will change (public)"),
        required=False,
        max_length=300,
        help_text=_(
            "Shown on the item's page once the corrected version is published: "
            "“Corrected on <date>: <this note>”."
        ),
    )
