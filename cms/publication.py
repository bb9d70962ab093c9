"""Publication: turning an approved submission into a live Wagtail page, and withdrawing it.

`publish_submission` and `withdraw_submission` run inside the workflow's transition (see
`cms.signals`), so a refusal here rolls the whole transition back. Both go through Wagtail's
revision machinery (`save_revision().publish()`, `unpublish()`), which keeps page history,
scheduled publishing, log entries and the `page_published` / `page_unpublished` signals working.
"""

import io

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.search import index

from cms.models import (
    LearningResourcePage,
    PublicFile,
    ResearchPage,
    ResourceFacetValue,
    ResourcePage,
    ResourcesIndexPage,
    SuccessStoryPage,
)
from repository.models import Submission, SubmissionFile
from repository.services import download_name
from workflow.exceptions import IncompleteSubmission

PAGE_TYPES = {
    Submission.Kind.LEARNING_RESOURCE: LearningResourcePage,
    Submission.Kind.RESEARCH: ResearchPage,
    Submission.Kind.SUCCESS_STORY: SuccessStoryPage,
}
PUBLIC_ROLES = [SubmissionFile.Role.MAIN, SubmissionFile.Role.SUPPORTING, SubmissionFile.Role.PHOTO]
ROLE_ORDER = {role: position for position, role in enumerate(PUBLIC_ROLES)}

# Catalogue fields shown on the item page, per kind, in display order (labels come from the
# Submission model's verbose names, so they are translated at display time).
DETAIL_FIELDS = {
    Submission.Kind.LEARNING_RESOURCE: [
        "program",
        "curriculum_level",
        "material_type",
        "resource_type",
        "education_type",
        "intended_users",
        "content_topic",
        "competencies",
        "objectives",
        "accessibility",
        "developer",
        "copyright",
        "copyright_owner",
    ],
    Submission.Kind.RESEARCH: ["research_type", "adviser", "year_completed"],
    Submission.Kind.SUCCESS_STORY: ["learner_featured"],
}


class PublicationRefused(IncompleteSubmission):
    """The submission cannot be published as it stands; `.message` says why.

    A workflow error (409), so the transition that triggered publication rolls back and the admin
    and the API show the reason instead of failing.
    """

    def __init__(self, message):
        super().__init__(message, details=[message])


def publication_problems(submission):
    """Why the submission cannot be made public now (empty list = it can)."""
    from repository.services import missing_attachments

    problems = missing_attachments(
        submission, roles={SubmissionFile.Role.MAIN, SubmissionFile.Role.CONSENT}
    )
    if ResourcesIndexPage.objects.first() is None:
        problems.append(_("The site has no Resources page to publish under."))
    return problems


def _value_text(value):
    if value is None:
        return ""
    if hasattr(value, "all"):
        return ", ".join(str(item) for item in value.all())
    return str(value).strip()


def _facets(submission, year):
    """(facet, value, label) triples for the faceted search."""
    rows = [("kind", submission.kind, str(submission.get_kind_display()))]
    rows += [("strand", s.code, s.name) for s in submission.learning_strands.all()]
    rows += [("language", lang.code, lang.name) for lang in submission.languages.all()]
    if submission.program_id:
        rows.append(("program", submission.program.code, submission.program.name))
    if submission.resource_type_id:
        rows.append(("type", submission.resource_type.code, submission.resource_type.name))
    if submission.division_id:
        rows.append(("division", submission.division.slug, submission.division.name))
    else:
        rows.append(("division", "region", "Regional Office"))
    if year:
        rows.append(("year", str(year), str(year)))
    return rows


def qa_record_for(submission):
    """Which offices passed the submission in QA and when: [{"level", "unit", "date"}].

    Read from the workflow's append-only history: the division's endorsement to the region and
    the region's approval (the latest of each, as a revision goes through QA again).
    """
    from workflow.models import TransitionRecord

    record = []
    steps = [("endorse_to_region", "division"), ("approve", "region")]
    for name, level in steps:
        entry = (
            TransitionRecord.objects.filter(submission=submission, name=name)
            .order_by("-at")
            .first()
        )
        if entry is None:
            continue
        if level == "division" and submission.division_id:
            unit = submission.division.name
        else:
            level, unit = "region", submission.region.name
        record.append(
            {"level": level, "unit": unit, "date": timezone.localdate(entry.at).isoformat()}
        )
    return record


def _fill(page, submission):
    """Copy the submission's public metadata onto the page (files are handled separately)."""
    today = timezone.localdate()
    page.title = submission.title
    page.kind = submission.kind
    page.summary = submission.summary
    page.authors = submission.authors
    page.keywords = submission.keywords
    page.languages_display = ", ".join(lang.name for lang in submission.languages.all())
    page.origin_level = submission.origin_level
    page.division = submission.division
    page.origin_name = str(submission.origin_unit)
    page.region_name = str(submission.region.name)
    page.school_year = submission.school_year
    page.date_published = page.date_published or today
    page.year = page.date_published.year
    page.search_description = submission.summary[:300]
    page.details = [
        [name, text]
        for name in DETAIL_FIELDS.get(submission.kind, [])
        if (text := _value_text(getattr(submission, name)))
    ]
    page.qa_record = qa_record_for(submission)
    page.facet_values = [
        ResourceFacetValue(facet=facet, value=value[:80], label=label[:200])
        for facet, value, label in _facets(submission, page.year)
    ]


def _stable_slug(submission):
    """The page slug: the title plus the submission id, unique and fixed at first publication."""
    base = slugify(submission.title)[:180] or "resource"
    return f"{base}-{submission.pk}"


def _sync_files(page, submission):
    """Make the page's public files the submission's current main, supporting and photo files."""
    current = list(
        submission.files.filter(is_current=True, role__in=PUBLIC_ROLES).order_by("uploaded_at")
    )
    kept = []
    for position, submission_file in enumerate(
        sorted(current, key=lambda f: (ROLE_ORDER[f.role], f.uploaded_at))
    ):
        name = download_name(submission_file).replace(" ", "-")
        public_file, created = PublicFile.objects.get_or_create(
            page=page,
            submission_file=submission_file,
            defaults={
                "role": submission_file.role,
                "name": name,
                "size": submission_file.size,
                "mime_type": submission_file.mime_type,
                "sort_order": position,
            },
        )
        if not created:
            public_file.is_current = True
            public_file.sort_order = position
            public_file.save(update_fields=["is_current", "sort_order"])
        if public_file.is_image and public_file.image_id is None:
            public_file.image = _wagtail_image(submission, submission_file)
            public_file.save(update_fields=["image"])
        kept.append(public_file.pk)
    page.files.exclude(pk__in=kept).update(is_current=False)


def _wagtail_image(submission, submission_file):
    """A Wagtail image made from a photo, so templates can use renditions of it."""
    from wagtail.images import get_image_model

    with submission_file.file.open("rb") as handle:
        data = handle.read()
    image = get_image_model()(
        title=f"{submission.title} ({submission_file.original_name})"[:255],
        file=ImageFile(io.BytesIO(data), name=download_name(submission_file)),
    )
    image.save()
    return image


@transaction.atomic
def publish_submission(submission, user=None):
    """Create or update the submission's public page and publish it as a new Wagtail revision."""
    problems = publication_problems(submission)
    if problems:
        raise PublicationRefused(" ".join(str(p) for p in problems))
    existing = ResourcePage.objects.filter(submission=submission).first()
    if existing is not None:
        page = existing.specific
        _fill(page, submission)
    else:
        # Created as a draft; the revision's publish below makes it live, as in the admin.
        page = PAGE_TYPES[submission.kind](
            submission=submission, slug=_stable_slug(submission), live=False, owner=user
        )
        _fill(page, submission)
        ResourcesIndexPage.objects.first().add_child(instance=page)
    revision = page.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    page.refresh_from_db()
    _sync_files(page, submission)
    # Index now, in this transaction, rather than waiting for the queued index task: the item is
    # findable the moment the transition commits (and not at all if it rolls back). Wagtail's
    # index serves the admin's search; the public search's `search_document` was written by the
    # `page_published` receiver (cms.signals) when the revision was published above.
    index.insert_or_update_object(page)
    return page


@transaction.atomic
def withdraw_submission(submission, user=None):
    """Unpublish the submission's page; its files stop being served at once."""
    page = ResourcePage.objects.filter(submission=submission).first()
    if page is None:
        return None
    if page.live:
        page.unpublish(user=user, log_action=True)
    return page


def publication_preview(submission):
    """What `publish_submission` would make public now, without saving anything: the page as
    publication fills it (`_fill` on an unsaved copy), its address, which current files become
    public and which stay private, and why publishing would be refused (if it would)."""
    existing = ResourcePage.objects.filter(submission=submission).first()
    parent = ResourcesIndexPage.objects.first()
    if existing is not None:
        page = existing.specific
        url = page.get_url()
    else:
        page = PAGE_TYPES[submission.kind](submission=submission, slug=_stable_slug(submission))
        url = f"{parent.get_url()}{page.slug}/" if parent is not None else ""
    _fill(page, submission)
    current = sorted(
        submission.files.filter(is_current=True).order_by("uploaded_at"),
        key=lambda f: (ROLE_ORDER.get(f.role, len(ROLE_ORDER)), f.uploaded_at),
    )
    return {
        "page": page,
        "url": url,
        "republish": existing is not None,
        "strands": page.facet_labels("strand"),
        "public_files": [f for f in current if f.role in PUBLIC_ROLES],
        "private_files": [f for f in current if f.role not in PUBLIC_ROLES],
        "problems": [str(p) for p in publication_problems(submission)],
    }
