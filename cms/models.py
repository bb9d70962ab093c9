"""The public site's page types and models.

Resources (the index with faceted search, and one page per published submission with its public
files), the CLMD office page, Issuances and Forms, and the directory of ALS personnel.
"""

import uuid
from urllib.parse import urljoin

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet


def kind_label(kind):
    """The translated name of a kind of submission ("Learning resource"), "" if unknown."""
    from repository.models import Submission

    return Submission.Kind(kind).label if kind in Submission.Kind.values else ""


class ResourcesIndexPage(Page):
    """Resources: everything the region has published (learning resources, research, stories)."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["cms.LearningResourcePage", "cms.ResearchPage", "cms.SuccessStoryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("resources index page")

    def get_context(self, request, *args, **kwargs):
        from cms.search import run_search

        context = super().get_context(request, *args, **kwargs)
        listing = (self.url_path, self.get_url(request))
        context.update(run_search(request.GET, listing))
        return context


class ClmdPage(Page):
    """The Curriculum and Learning Management Division's office page, owner of the ALS MIS."""

    intro = RichTextField(_("introduction"), blank=True)
    body = RichTextField(_("about the office"), blank=True)
    office_address = models.CharField(_("office address"), max_length=255, blank=True)
    office_email = models.EmailField(_("office email"), blank=True)
    office_phone = models.CharField(_("office phone"), max_length=60, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("office_address"), FieldPanel("office_email"), FieldPanel("office_phone")],
            heading=_("Contact"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["home.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = _("CLMD office page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest"] = list(
            ResourcePage.objects.live()
            .public()
            .order_by("-first_published_at")
            .only("title", "url_path", "kind", "summary", "date_published", "origin_name")[:6]
        )
        context["resources_page"] = ResourcesIndexPage.objects.live().first()
        context["kind_links"] = [
            ("lr", _("Learning resources")),
            ("research", _("Research")),
            ("story", _("Success stories")),
        ]
        return context


class IssuancesIndexPage(Page):
    """Issuances and Forms: memoranda and orders, and the blank ALS forms, as downloadable documents."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["cms.IssuancePage"]
    max_count = 1

    class Meta:
        verbose_name = _("issuances and forms index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = IssuancePage.objects.child_of(self).live().public().select_related("document")
        kind = request.GET.get("type", "")
        if kind in IssuancePage.Kind.values:
            items = items.filter(kind=kind)
        else:
            kind = ""
        context.update(
            {
                "issuances": items.exclude(kind=IssuancePage.Kind.FORM).order_by(
                    "-date_issued", "-series", "-number"
                ),
                "forms": items.filter(kind=IssuancePage.Kind.FORM).order_by("number", "title"),
                "kinds": IssuancePage.Kind.choices,
                "selected_kind": kind,
            }
        )
        return context


class IssuancePage(Page):
    """One memorandum, order or advisory (number, series, date) or one blank form, with its file."""

    class Kind(models.TextChoices):
        DEPED_ORDER = "deped_order", _("DepEd Order")
        DEPED_MEMORANDUM = "deped_memorandum", _("DepEd Memorandum")
        REGIONAL_MEMORANDUM = "regional_memorandum", _("Regional Memorandum")
        DIVISION_MEMORANDUM = "division_memorandum", _("Division Memorandum")
        ADVISORY = "advisory", _("Advisory")
        FORM = "form", _("Form")

    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    number = models.CharField(
        _("number"), max_length=40, help_text=_("e.g. 163 for a memorandum, AF2 for a form")
    )
    series = models.PositiveSmallIntegerField(
        _("series (year)"), null=True, blank=True, help_text=_("e.g. 2025 for 's. 2025'")
    )
    date_issued = models.DateField(_("date issued"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("number"),
                FieldPanel("series"),
                FieldPanel("date_issued"),
            ],
            heading=_("Identification"),
        ),
        FieldPanel("summary"),
        FieldPanel("document"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("number"),
        index.FilterField("kind"),
    ]
    parent_page_types = ["cms.IssuancesIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("issuance or form")

    @property
    def reference(self):
        """The citation form used on DepEd documents, e.g. "Regional Memorandum No. 163, s. 2025"."""
        if self.kind == self.Kind.FORM:
            return _("ALS Form %(number)s") % {"number": self.number}
        text = _("%(kind)s No. %(number)s") % {
            "kind": self.get_kind_display(),
            "number": self.number,
        }
        return f"{text}, s. {self.series}" if self.series else text


@register_snippet
class DirectoryEntry(models.Model):
    """One ALS staff member in the public directory; only the fields they chose to publish show."""

    division = models.ForeignKey(
        "organisation.Division",
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="directory_entries",
        help_text=_("Leave empty for Regional Office staff."),
    )
    name = models.CharField(_("name"), max_length=160)
    position = models.CharField(_("position"), max_length=160)
    office = models.CharField(_("office"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    published = models.BooleanField(
        _("show in the public directory"),
        default=False,
        help_text=_("Nothing about this person is public until this is ticked."),
    )
    publish_email = models.BooleanField(_("publish email"), default=False)
    publish_phone = models.BooleanField(_("publish phone"), default=False)

    panels = [
        FieldPanel("division"),
        FieldPanel("name"),
        FieldPanel("position"),
        FieldPanel("office"),
        MultiFieldPanel(
            [
                FieldPanel("email"),
                FieldPanel("publish_email"),
                FieldPanel("phone"),
                FieldPanel("publish_phone"),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("sort_order"),
        FieldPanel("published"),
    ]

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        ordering = ["division__name", "sort_order", "name"]

    def __str__(self):
        return f"{self.name} ({self.position})"

    @property
    def public_email(self):
        return self.email if self.publish_email else ""

    @property
    def public_phone(self):
        return self.phone if self.publish_phone else ""


class DirectoryPage(Page):
    """The public directory of ALS personnel, per division, from the published directory entries."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("ALS personnel directory page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        entries = DirectoryEntry.objects.filter(published=True).select_related("division")
        groups = {}
        for entry in entries.order_by("division__name", "sort_order", "name"):
            key = entry.division.name if entry.division else _("Regional Office")
            groups.setdefault(key, []).append(entry)
        context["groups"] = list(groups.items())
        return context


class ResourcePage(Page):
    """A published submission: the public record of a learning resource, research or story.

    Pages are created and updated only by publication (`cms.publication`), through Wagtail's
    revisions, so a later publish of the same submission is a new revision of the same page and
    its URL stays stable. The metadata is copied from the submission at publish time, so the
    public record shows exactly what was quality-assured and published.
    """

    submission = models.OneToOneField(
        "repository.Submission",
        on_delete=models.PROTECT,
        related_name="public_page",
        verbose_name=_("submission"),
    )
    kind = models.CharField(_("kind"), max_length=16, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    languages_display = models.CharField(_("languages"), max_length=300, blank=True)
    origin_level = models.CharField(_("origin"), max_length=16, blank=True)
    division = models.ForeignKey(
        "organisation.Division",
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin_name = models.CharField(_("origin unit"), max_length=200, blank=True)
    region_name = models.CharField(_("region"), max_length=200, blank=True)
    school_year = models.CharField(_("school year"), max_length=9, blank=True)
    date_published = models.DateField(_("date first published"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    details = models.JSONField(
        _("details"),
        default=list,
        blank=True,
        help_text=_("Further catalogue fields as [label, value] pairs, in display order."),
    )
    oai_datestamp = models.DateTimeField(
        _("harvest datestamp"),
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("When it was last published or withdrawn (OAI-PMH datestamp)."),
    )
    qa_record = models.JSONField(
        _("quality assurance record"),
        default=list,
        blank=True,
        help_text=_("Which offices approved it and when (filled in by publication)."),
    )
    # The weighted full-text vector of the public search on PostgreSQL (cms.search), written by
    # publication and `update_search_documents`; stays empty on SQLite (Wagtail search there).
    search_document = SearchVectorField(null=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("authors"),
        FieldPanel("keywords"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("authors", boost=2),
        index.SearchField("keywords", boost=2),
        index.SearchField("languages_display"),
        index.SearchField("origin_name"),
        index.AutocompleteField("title"),
        index.FilterField("kind"),
        index.FilterField("year"),
        index.FilterField("division"),
    ]
    parent_page_types = ["cms.ResourcesIndexPage"]
    subpage_types = []
    # Only publication creates these pages; editors may still correct, schedule or unpublish them.
    is_creatable = False

    class Meta:
        verbose_name = _("published resource")
        # "Newest first" is the default listing of Resources and the feed's order.
        indexes = [
            models.Index(fields=["-date_published", "-page_ptr"], name="resource_newest"),
            # On SQLite, Django makes this a plain index (harmless: the column stays empty).
            GinIndex(fields=["search_document"], name="resource_search_document"),
        ]

    @property
    def kind_label(self):
        return kind_label(self.kind)

    def public_files(self):
        """The current public files of this page (main file first)."""
        return self.files.filter(is_current=True).order_by("sort_order", "name")

    @cached_property
    def main_file(self):
        return self.public_files().filter(role="main").first()

    @property
    def qa_note(self):
        """ "Quality assured by Division X and Region Y on DATE" from the QA record."""
        return qa_sentence(self.qa_record)

    def citation(self):
        """A plain "how to cite" text (APA-like): Authors (year). Title [kind]. Office. URL."""
        authors = self.authors or self.origin_name
        year = self.year or ""
        publisher = ", ".join(p for p in (self.origin_name, self.region_name) if p)
        return f"{authors} ({year}). {self.title} [{self.kind_label}]. {publisher}. {self.full_url}"

    @property
    def author_list(self):
        return [name.strip() for name in self.authors.split(",") if name.strip()]

    @property
    def keyword_list(self):
        return [word.strip() for word in self.keywords.split(",") if word.strip()]

    def facet_labels(self, facet):
        # One query for all facets of the page, however many times the template asks.
        if not hasattr(self, "_facet_rows"):
            self._facet_rows = list(self.facet_values.all())
        return [value.label for value in self._facet_rows if value.facet == facet]

    def detail_rows(self):
        """The catalogue details as (translated label, value) pairs."""
        from repository.models import Submission

        rows = []
        for name, value in self.details:
            try:
                label = Submission._meta.get_field(name).verbose_name
            except Exception:  # a field the repository no longer has: show its stored name
                label = name.replace("_", " ")
            rows.append((label, value))
        return rows

    def _preview_file(self, files):
        """What to show as the preview: a story's first photo, otherwise the first PDF or image."""
        photos = [f for f in files if f.image_id]
        if self.kind == "story" and photos:
            return photos[0]
        return next((f for f in files if f.is_pdf or f.image_id), None)

    def get_context(self, request, *args, **kwargs):
        from errata.services import public_corrections

        context = super().get_context(request, *args, **kwargs)
        files = list(self.public_files().select_related("image"))
        self.main_file = next((f for f in files if f.role == "main"), None)
        context.update(
            {
                "files": files,
                # The main file is the button under the title; the table lists the others.
                "other_files": [f for f in files if f is not self.main_file],
                "preview_file": self._preview_file(files),
                "photos": [f for f in files if f.image_id],
                "strands": self.facet_labels("strand"),
                "languages": self.facet_labels("language"),
                "detail_rows": self.detail_rows(),
                "resources_page": self.get_parent(),
                # "Corrected on <date>: <what changed>", from readers' reports (errata/).
                "corrections": public_corrections(self.submission_id),
                # From the site's root URL, not the request's host: the HTTP cache in front
                # serves the same page to every visitor, whatever host name they used.
                "pdf_url": urljoin(self.full_url or "", self.main_file.get_absolute_url())
                if self.main_file and self.main_file.is_pdf
                else "",
            }
        )
        return context


def qa_sentence(record):
    """Render a QA record ([{"level", "unit", "date"}]) as one sentence, in the active language."""
    from django.utils.dateformat import format as format_date
    from django.utils.dateparse import parse_date

    if not record:
        return ""
    offices = [
        _("the Schools Division of %(name)s") % {"name": entry["unit"]}
        if entry["level"] == "division"
        else entry["unit"]
        for entry in record
    ]
    last = parse_date(record[-1]["date"])
    when = format_date(last, "F j, Y") if last else record[-1]["date"]
    if len(offices) == 1:
        by = offices[0]
    else:
        by = _("%(first)s and %(last)s") % {"first": ", ".join(offices[:-1]), "last": offices[-1]}
    return _("Quality assured by %(offices)s on %(date)s") % {"offices": by, "date": when}


class LearningResourcePage(ResourcePage):
    """A teacher-made learning resource that passed division and regional QA."""

    template = "cms/resource_page.html"

    class Meta:
        verbose_name = _("learning resource page")


class ResearchPage(ResourcePage):
    """Research (e.g. action research) that passed QA."""

    template = "cms/resource_page.html"

    class Meta:
        verbose_name = _("research page")


class SuccessStoryPage(ResourcePage):
    """A learner success story, with photos served through Wagtail images and renditions."""

    template = "cms/resource_page.html"

    class Meta:
        verbose_name = _("success story page")


class ResourceFacetValue(Orderable):
    """One facet value of a resource page (kind, strand, program, division, language, year, type).

    Facets live in one narrow table, read in one query (grouped by value: in SQL on PostgreSQL,
    in Python on SQLite) when the search's facet index is built (`cms.search.FacetIndex`); they
    belong to the page's revisions, so the live page's rows match what is published.
    """

    page = ParentalKey(ResourcePage, related_name="facet_values", on_delete=models.CASCADE)
    facet = models.CharField(max_length=16)
    value = models.CharField(max_length=80)
    label = models.CharField(max_length=200)

    class Meta(Orderable.Meta):
        indexes = [models.Index(fields=["facet", "value"])]


def public_file_key(instance, filename):
    return f"public-previews/{instance.uuid.hex}.png"


class PublicFile(models.Model):
    """A file of a published page, downloadable by anyone at a stable URL while the page is live.

    It points at the submission's stored file (no copy). A later publish with a new version of the
    file makes a new PublicFile and retires this one, so old URLs stop working.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    page = models.ForeignKey(ResourcePage, on_delete=models.CASCADE, related_name="files")
    submission_file = models.ForeignKey(
        "repository.SubmissionFile", on_delete=models.CASCADE, related_name="public_files"
    )
    role = models.CharField(max_length=16)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    mime_type = models.CharField(_("type"), max_length=120)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_current = models.BooleanField(default=True)
    download_count = models.PositiveBigIntegerField(_("downloads"), default=0)
    preview = models.FileField(upload_to=public_file_key, blank=True, max_length=200)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public file")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "submission_file"], name="public_file_once_per_page"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("public_file", args=[self.uuid, self.name])

    @property
    def is_pdf(self):
        return self.mime_type == "application/pdf"

    @property
    def is_image(self):
        return self.mime_type.startswith("image/")

    @property
    def format_label(self):
        """The file's format as people name it: its extension in capitals ("PDF", "DOCX")."""
        stem, dot, extension = self.name.rpartition(".")
        return extension.upper() if dot and stem else ""
