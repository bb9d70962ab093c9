"""Forms of the staff UI: a submission with its files, in sections, and one form per workflow action.

The submission form is laid out in the sections of `SECTIONS` (Wagtail panels): what, who and
rights, classification, files. Fields that do not apply to the submission's kind are hidden (on
the edit form by the server; on the create form by static/js/submission-form.js as the kind is
chosen), and what submitting needs (`repository.services.missing_items`) is marked *.

The action forms only collect input; `workflow.services.perform_transition` validates it again
and decides, so the admin and the API obey the same rules.
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList

from organisation.models import Level, Role
from organisation.scope import assignments_for, scope_for
from repository.forms import KIND_FIELDS, NEEDED_TO_SUBMIT, SubmissionForm
from repository.models import ReturnReason, Submission, SubmissionFile
from repository.services import (
    ROLE_TYPES,
    file_key,
    missing_items,
    required_file_roles,
)

from .review import sheet_for
from .services import PASS_REQUIRED, REASON_REQUIRED, REVIEW_REQUIRED

R = SubmissionFile.Role
FILE_FIELDS = [
    (file_key(role), role) for role in (R.MAIN, R.IP_DECLARATION, R.CONSENT, R.SUPPORTING, R.PHOTO)
]
FILE_HELP = {
    R.MAIN: _("The scanned soft copy or the document itself (PDF, DOCX ...)."),
    R.IP_DECLARATION: _("The signed declaration, scanned or photographed: a PDF or an image."),
    R.CONSENT: _(
        "Required when a learner is named or pictured: the signed consent, scanned or "
        "photographed (a PDF or an image)."
    ),
    R.SUPPORTING: _("Any other supporting document."),
    R.PHOTO: _("A photo for a success story."),
}
ORIGIN_FIELDS = ["origin_level", "division", "district"]

# The submission form's sections, in order; every field of the form is in exactly one.
SECTIONS = [
    (
        _("What"),
        [
            "kind",
            "title",
            "summary",
            "keywords",
            "content_topic",
            "competencies",
            "objectives",
            "research_type",
            "year_completed",
            "learner_featured",
        ],
    ),
    (
        _("Who and rights"),
        [
            "authors",
            "developer",
            "adviser",
            "copyright",
            "copyright_owner",
            file_key(R.IP_DECLARATION),
            "learner_named_or_pictured",
            file_key(R.CONSENT),
        ],
    ),
    (
        _("Classification"),
        [
            "languages",
            "school_year",
            "learning_strands",
            "program",
            "curriculum_level",
            "material_type",
            "resource_type",
            "education_type",
            "intended_users",
            "accessibility",
        ],
    ),
    (_("Files"), [file_key(R.MAIN), file_key(R.SUPPORTING), file_key(R.PHOTO)]),
]


def field_anchor(key):
    """The HTML id of a field's block on the submission form (the checklist links to it)."""
    return f"field-{key}"


def _file_kinds(role):
    """The kinds a file role applies to (None: every kind): a role some kinds require is for
    those kinds (IP declaration: learning resources; consent: success stories); photos
    illustrate success stories."""
    if role == R.PHOTO:
        return [Submission.Kind.SUCCESS_STORY]
    kinds = [k for k in Submission.Kind if role in required_file_roles(k, True)]
    return kinds if 0 < len(kinds) < len(Submission.Kind) else None


def kinds_of(name):
    """The kinds a field of the submission form belongs to (None: every kind)."""
    for kind, names in KIND_FIELDS.items():
        if name in names:
            return [kind]
    for key, role in FILE_FIELDS:
        if key == name:
            return _file_kinds(role)
    return None


class SubmissionFieldPanel(FieldPanel):
    """A field of the submission form: marked * when submitting needs it, with an id the
    checklist links to, and hidden where it does not apply to the submission's kind."""

    class BoundPanel(FieldPanel.BoundPanel):
        def is_required(self):
            return super().is_required() or self.field_name in self.form.required_to_submit

        @property
        def attrs(self):
            attrs = {**super().attrs, "id": field_anchor(self.field_name)}
            kinds = kinds_of(self.field_name)
            if kinds:
                attrs["data-submission-kinds"] = " ".join(kinds)
                if self.form.fixed_kind and self.form.fixed_kind not in kinds:
                    attrs["hidden"] = True
            if self.field_name == file_key(R.CONSENT):
                # Needed only when the learner is named or pictured (the script follows the box).
                attrs["data-needed-when"] = "learner_named_or_pictured"
            return attrs


class SubmissionFilePanel(SubmissionFieldPanel):
    """An upload field, with the files already attached in its role (name, size, version and a
    download link): uploading again adds a new version, the older ones stay."""

    class BoundPanel(SubmissionFieldPanel.BoundPanel):
        template_name = "workflow/panels/submission_file_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            files = self.form.current_files(self.field_name)
            context["current_files"] = files
            # A main file, consent or IP declaration is one document in versions; supporting
            # files and photos are added beside each other.
            context["versioned"] = bool(files) and files[0].role in SubmissionFile.SINGLE_ROLES
            return context


def submission_panels():
    """The sections of the submission form as Wagtail panels (origin fields first, shown only to
    those who submit for several units)."""
    file_names = {name for name, _role in FILE_FIELDS}

    def panel(name):
        return SubmissionFilePanel(name) if name in file_names else SubmissionFieldPanel(name)

    sections = [
        MultiFieldPanel([panel(name) for name in ORIGIN_FIELDS], heading=_("Submitted for"))
    ]
    sections += [
        MultiFieldPanel([panel(name) for name in names], heading=heading)
        for heading, names in SECTIONS
    ]
    return ObjectList(
        sections,
        help_text=_(
            "Fields marked * are needed before you can submit. You can save a draft without them "
            "and come back; submitting checks that everything is there."
        ),
        attrs={"data-submission-form": True},
    )


class TermPicker(forms.CheckboxSelectMultiple):
    """A long list of terms to tick (the languages), kept compact: a scrolling list of ordinary
    checkboxes with a filter box above it and the chosen terms named below it
    (static/js/submission-form.js; without the script it is a plain scrolling list)."""

    template_name = "workflow/widgets/term_picker.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["chosen"] = [
            option["label"]
            for _group, options, _index in context["widget"]["optgroups"]
            for option in options
            if option["selected"]
        ]
        return context


class SubmissionAdminForm(SubmissionForm):
    """The submission form plus one upload field per file role. Uploading again to a role that
    already has a file adds a new version; older versions are kept."""

    class Meta(SubmissionForm.Meta):
        widgets = {**SubmissionForm.Meta.widgets, "languages": TermPicker}

    class Media:
        js = ["js/submission-form.js"]
        css = {"all": ["css/admin-submission-form.css"]}

    def __init__(self, *args, **kwargs):
        user = kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and user is not None and submits_for_several_units(user):
            self._add_origin_fields(user)
        for name, role in FILE_FIELDS:
            help_text = FILE_HELP[role]
            if name in self.required_to_submit:
                help_text = f"{help_text} {NEEDED_TO_SUBMIT}"
            widget = forms.ClearableFileInput
            attrs = {}
            if role in ROLE_TYPES:
                # A hint to the browser's file picker; the bytes decide (repository.services).
                attrs["accept"] = ",".join(sorted(ROLE_TYPES[role]))
            self.fields[name] = forms.FileField(
                label=role.label,
                required=False,
                help_text=help_text,
                widget=widget(attrs=attrs),
            )

    def _required_to_submit(self):
        names = super()._required_to_submit()
        kinds = [self.fixed_kind] if self.fixed_kind else list(Submission.Kind)
        # The consent counts as needed on a story form; it is when the learner is named or
        # pictured, which the form says beside it.
        return names | {
            file_key(role) for kind in kinds for role in required_file_roles(kind, True)
        }

    def current_files(self, name):
        """The current files of the upload field `name`'s role, with download links."""
        if self.instance.pk is None:
            return []
        role = dict(FILE_FIELDS)[name]
        files = list(self.instance.files.filter(role=role, is_current=True).order_by("uploaded_at"))
        for record in files:
            record.download_url = reverse(
                "submissions:download", args=[self.instance.pk, record.pk]
            )
        return files

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
            if name == "return_incomplete":
                self._tick_what_is_missing()
        if name in REVIEW_REQUIRED:
            self._add_review_fields()

    def _tick_what_is_missing(self):
        """Returning an incomplete item: the reasons for what it lacks come ticked, and the
        missing items are named beside them (they are recorded with the return as well)."""
        missing = missing_items(self.submission)
        if not missing:
            return
        field = self.fields["reasons"]
        codes = list(dict.fromkeys(item.reason for item in missing))
        offered = set(field.queryset.filter(code__in=codes).values_list("code", flat=True))
        self.initial.setdefault("reasons", [code for code in codes if code in offered])
        field.help_text = gettext(
            "Ticked for what is missing: %(items)s Untick or add reasons, or explain in the comment."
        ) % {"items": " ".join(item.message for item in missing)}

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


class ReviewForm(TransitionForm):
    """The one rating sheet (or checklist) of the reviewer holding the claim, with the outcome
    chosen on it: endorse (or approve), or return for revision. The scores belong to the sheet,
    not to an outcome, so changing the outcome, or the form coming back with errors, keeps them.

    `decisions` are [(transition name, label)] the reviewer may take now; `earlier` is the
    division's review shown beside the regional sheet (read-only), or None.
    """

    decision = forms.ChoiceField(
        label=_("What happens to the submission"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens to the submission.")},
    )

    def __init__(self, *args, submission, decisions, earlier=None, **kwargs):
        kwargs.setdefault("prefix", "review")
        # Not TransitionForm.__init__: this form is not one transition's, it chooses one.
        forms.Form.__init__(self, *args, **kwargs)
        self.submission = submission
        self.name = "review"
        self.sheet = None
        self.factor_rows = []
        self.earlier = earlier
        self.fields["decision"].choices = list(decisions)
        # Return reasons, for when the outcome is a return for revision.
        returning = [name for name, _label in decisions if name in REASON_REQUIRED]
        if returning:
            self.fields["reasons"] = forms.ModelMultipleChoiceField(
                label=_("Reasons for returning it"),
                queryset=ReturnReason.objects.filter(
                    applies_to=REASON_REQUIRED[returning[0]], is_active=True
                ),
                to_field_name="code",
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("When you return it: choose the reasons, or explain in the comment."),
            )
        self._add_review_fields()
        for name, field in self.fields.items():
            if name.startswith("note_"):
                field.widget.attrs["placeholder"] = _("Comment (needed below 4)")
        names = [name for name, _label in decisions]
        self.pass_decisions = [name for name in names if name in PASS_REQUIRED]
        self.return_decisions = [name for name in names if name in REASON_REQUIRED]
        # The sheet's fields first, then the outcome, the reasons and the comment.
        for name in ("decision", "reasons", "comment"):
            if name in self.fields:
                self.fields[name] = self.fields.pop(name)

    @property
    def chosen(self):
        """The transition chosen on the form (valid or not), or ""."""
        if self.is_bound:
            return self.data.get(self.add_prefix("decision"), "")
        return self.initial.get("decision", "")

    def review_sections(self):
        """[(factor, earlier factor result or None, [(item field, note field or None,
        earlier answer {"value", "note"} or None)])] for rendering the sheet."""
        earlier = (self.earlier.answers or {}) if self.earlier is not None else {}
        items = earlier.get("items") or {}
        notes = earlier.get("item_comments") or {}
        factors = earlier.get("factors") or {}
        return [
            (
                factor,
                factors.get(factor["key"]),
                [
                    (
                        item,
                        note,
                        {"value": items[key], "note": notes.get(key, "")} if key in items else None,
                    )
                    for (item, note), key in zip(rows, keys, strict=True)
                ],
            )
            for (factor, rows), (_factor, keys) in zip(
                super().review_sections(), self.factor_rows, strict=True
            )
        ]

    def reason_codes(self):
        """The reasons, when the chosen outcome takes them (endorsing takes none)."""
        if self.cleaned_data.get("decision") not in REASON_REQUIRED:
            return None
        return super().reason_codes()

    def _field_for(self, key):
        if key == "outcome":
            return "decision"
        return super()._field_for(key)

    def add_service_errors(self, details, message):
        """The service's messages beside their fields; a refused outcome beside the choice."""
        if isinstance(details, dict) and "outcome" in details:
            details = dict(details)
            for text in details.pop("outcome"):
                self.add_error(
                    "decision",
                    _("%(message)s This sheet's outcome: %(outcome)s.")
                    % {"message": message, "outcome": text},
                )
            if not details:
                return
        super().add_service_errors(details, message)
