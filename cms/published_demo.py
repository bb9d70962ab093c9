"""Published demo items for `seed_demo`: learning resources, research and learner success stories
on the public site from the first visit.

Each item is created by its submitter and taken through the real workflow service: submitted,
stamped received, reviewed with a passing sheet at the division and at the region, approved, and
published by regional ALS personnel. Its page therefore has what a real item has: the QA record,
the search facets, the search entry, the feed entry and the OAI-PMH record. The files are made
here: PDFs drawn with reportlab (a title page with a cover illustration, then pages of text that
can be selected, searched and previewed), and the cover illustrations drawn with Pillow (a
success story's public photo). The words are in `cms.published_demo_content`.

Items are recognised by title: a second run adds nothing and leaves items people changed alone.
"""

import io
import math
from functools import lru_cache
from xml.sax.saxutils import escape

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from repository.models import Submission
from workflow.demo import passing_review
from workflow.services import create_submission, perform_transition, upload_file

from .published_demo_content import LEARNING_RESOURCES, RESEARCH, SUCCESS_STORIES

DEMO_NOTICE = (
    "ALS MIS demonstration copy: sample content written for the demo, "
    "not an official DepEd publication."
)

# Sky, sun, three ridges from far to near, and the terrace lines of each cover illustration.
PALETTES = [
    ("#cfe8f7", "#fff3b0", ("#8fb3a8", "#5f8f6e", "#3f6f4a"), "#c9b458"),
    ("#dcecf5", "#ffe9a8", ("#9bb7c9", "#6a9a78", "#44704c"), "#9bbf5a"),
    ("#f6e3c8", "#ffd28a", ("#b7a07e", "#8a9a5b", "#5d7a3a"), "#d8b45a"),
    ("#d7e4f0", "#fff0c0", ("#a3b3c8", "#7393a8", "#4d6b7d"), "#b8a46a"),
    ("#e4eef0", "#fff6cc", ("#a9c2b8", "#79a38c", "#4f7d63"), "#8fb85f"),
    ("#eae1f2", "#ffe0b0", ("#b3a9c8", "#8c8aab", "#5f6a86"), "#c7a86b"),
    ("#f3e7d3", "#ffd9a0", ("#a8a080", "#7b8b55", "#55683a"), "#a5763f"),
    ("#dfeee6", "#fff2b8", ("#9cc1b0", "#6fa287", "#467a5e"), "#a9c46a"),
]


# The files are the same on every run: drawn once per process (the tests run seed_demo several
# times, and drawing is about a tenth of the seeding's time).
@lru_cache(maxsize=32)
def cover_illustration(index, width=960, height=540, label=""):
    """JPEG bytes of a Cordillera landscape (sky, sun, ridges, rice terraces) in palette `index`;
    `label` is written in a corner (e.g. "Illustration", so nobody takes it for a photo)."""
    sky, sun, ridges, terrace = PALETTES[index % len(PALETTES)]
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    cx, cy, r = width * (0.2 + 0.08 * (index % 7)), height * 0.22, height * 0.09
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=sun)
    for layer, colour in enumerate(ridges):
        base = height * (0.42 + 0.14 * layer)
        amplitude = height * (0.16 - 0.03 * layer)
        points = [
            (x, base - amplitude * abs(math.sin(x / width * (2.2 + layer) + index * 0.9 + layer)))
            for x in range(0, width + 1, 24)
        ]
        draw.polygon(points + [(width, height), (0, height)], fill=colour)
    # Terrace walls: stacked contour curves across the nearest slope.
    for step in range(7):
        top = height * 0.7 + step * height * 0.05
        draw.arc(
            (-width * 0.3, top, width * 1.3, top + height * 0.6),
            190,
            350,
            fill=terrace,
            width=4,
        )
    if label:
        font = ImageFont.load_default(size=24)
        left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
        x, y = width - (right - left) - 30, height - (bottom - top) - 30
        draw.rectangle((x - 10, y - 8, width - 20, height - 18), fill="white")
        draw.text((x - left, y - top), label, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _styles():
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()
    return {
        "header": ParagraphStyle("header", base["Normal"], alignment=TA_CENTER, fontSize=10),
        "title": ParagraphStyle(
            "title", base["Title"], fontSize=22, leading=27, spaceBefore=18, spaceAfter=12
        ),
        "subtitle": ParagraphStyle("subtitle", base["Normal"], alignment=TA_CENTER, fontSize=12),
        "byline": ParagraphStyle(
            "byline", base["Normal"], alignment=TA_CENTER, fontSize=11, spaceBefore=14
        ),
        "heading": ParagraphStyle("heading", base["Heading2"], spaceAfter=8),
        "body": ParagraphStyle("body", base["BodyText"], fontSize=11, leading=15, spaceAfter=8),
        "item": ParagraphStyle(
            "item", base["BodyText"], fontSize=11, leading=15, leftIndent=18, spaceAfter=4
        ),
    }


@lru_cache(maxsize=64)
def demo_pdf(title, sections, *, header=(), subtitle="", byline="", cover=None, author=""):
    """PDF bytes: a title page (header lines, `cover` JPEG, title, subtitle, byline), then one
    page per (heading, (paragraph, ...)) section; a paragraph starting "- " is a list item. Every
    page carries the demonstration notice and its number. The text is real PDF text (reportlab's
    standard fonts), so it can be extracted, searched and read aloud. Arguments are hashable
    (tuples): the result is kept per process."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Image as PdfImage
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    styles = _styles()

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, 1.2 * cm, DEMO_NOTICE)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, str(document.page))
        canvas.restoreState()

    story = [Paragraph(escape(line), styles["header"]) for line in header]
    if cover:
        story += [Spacer(1, 0.8 * cm), PdfImage(io.BytesIO(cover), width=16 * cm, height=9 * cm)]
    story.append(Paragraph(escape(title), styles["title"]))
    if subtitle:
        story.append(Paragraph(escape(subtitle), styles["subtitle"]))
    if byline:
        story.append(Paragraph(escape(byline), styles["byline"]))
    for heading, paragraphs in sections:
        story += [PageBreak(), Paragraph(escape(heading), styles["heading"])]
        for text in paragraphs:
            if text.startswith("- "):
                story.append(Paragraph(escape(text[2:]), styles["item"], bulletText="\u2022"))
            else:
                story.append(Paragraph(escape(text), styles["body"]))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=title,
        author=author,
        creator="ALS MIS seed_demo",
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=2 * cm,
        bottomMargin=2.2 * cm,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _upload(user, submission, role, name, data, content_type="application/pdf"):
    upload_file(user, submission, SimpleUploadedFile(name, data, content_type=content_type), role)


def _header(submission):
    office = (
        f"Schools Division of {submission.division.name}"
        if submission.division_id
        else "Regional Office"
    )
    return (
        "Republic of the Philippines",
        "Department of Education",
        submission.region.name,
        office,
        "Alternative Learning System",
    )


def _subtitle(submission):
    if submission.kind == Submission.Kind.LEARNING_RESOURCE:
        strands = ", ".join(s.name for s in submission.learning_strands.all())
        return f"{submission.resource_type.name} | {submission.program.name} | {strands}"
    if submission.kind == Submission.Kind.RESEARCH:
        return f"{submission.research_type.name}, {submission.year_completed}"
    return f"Learner success story | School year {submission.school_year}"


def _byline(submission):
    if submission.kind == Submission.Kind.RESEARCH:
        return f"{submission.authors}. Adviser: {submission.adviser}"
    return submission.authors


def _private_pdf(submission, heading, text):
    """A one-page signed-form stand-in (IP declaration, learner's consent): not public."""
    return demo_pdf(
        heading,
        (),
        header=_header(submission),
        subtitle=text,
        byline=f"For: {submission.title}",
        author=submission.authors,
    )


def _publication_steps(submission, submitter):
    """(username, transition) from draft to published for the submission's origin: a district's
    item is received at the division, a division's starts there, a region's starts at the region."""
    steps = [(submitter, "submit")]
    if submission.division_id:
        slug = submission.division.slug
        if submission.origin_level == "district":
            steps.append((f"records.{slug}", "receive_at_division"))
        steps += [
            (f"lrqa.{slug}", "claim_division_review"),
            (f"lrqa.{slug}", "endorse_to_region"),
            ("records.region", "receive_at_region"),
        ]
    steps += [
        ("lrqa.region", "claim_regional_review"),
        ("lrqa.region", "approve"),
        ("als.region", "publish"),
    ]
    return steps


def _publish_item(kind, item):
    """Create one item as its submitter, attach its generated files, and take it to published."""
    users = get_user_model().objects
    submitter = users.get(username=item["submitter"])
    submission = create_submission(submitter, {"kind": kind, **item["data"]})
    cover = cover_illustration(item["cover"])
    main = demo_pdf(
        submission.title,
        tuple((heading, tuple(paragraphs)) for heading, paragraphs in item["pages"]),
        header=_header(submission),
        subtitle=_subtitle(submission),
        byline=_byline(submission),
        cover=cover,
        author=submission.authors,
    )
    _upload(submitter, submission, "main", item["file_name"], main)
    if "supporting" in item:
        name, heading, lines = item["supporting"]
        pdf = demo_pdf(
            f"{submission.title}: {heading}", ((heading, tuple(lines)),), author=submission.authors
        )
        _upload(submitter, submission, "supporting", name, pdf)
    if kind == Submission.Kind.LEARNING_RESOURCE:
        declaration = _private_pdf(
            submission,
            "Declaration of Originality and Intellectual Property",
            "The authors declare that this learning resource is their original work and that "
            "any borrowed material is used with permission.",
        )
        _upload(submitter, submission, "ip_declaration", "ip-declaration.pdf", declaration)
    if kind == Submission.Kind.SUCCESS_STORY:
        consent = _private_pdf(
            submission,
            "Learner's Written Consent",
            f"I, {submission.learner_featured}, allow the Department of Education to publish my "
            "story and name (Data Privacy Act, RA 10173).",
        )
        _upload(submitter, submission, "consent", "consent.pdf", consent)
        photo = cover_illustration(item["cover"], label="Illustration")
        _upload(
            submitter, submission, "photo", "illustration.jpg", photo, content_type="image/jpeg"
        )
    for username, name in _publication_steps(submission, item["submitter"]):
        review = passing_review(submission) if name in ("endorse_to_region", "approve") else None
        perform_transition(users.get(username=username), submission, name, review=review)
    return submission


def seed_published_items():
    """Publish the demo items that are not there yet (by title); returns how many were added.

    Each item is one transaction: an item that fails half-way leaves no half-published trace.
    """
    created = 0
    for kind, items in (
        (Submission.Kind.LEARNING_RESOURCE, LEARNING_RESOURCES),
        (Submission.Kind.RESEARCH, RESEARCH),
        (Submission.Kind.SUCCESS_STORY, SUCCESS_STORIES),
    ):
        for item in items:
            if Submission.objects.filter(title=item["data"]["title"]).exists():
                continue
            with transaction.atomic():
                _publish_item(kind, item)
            created += 1
    return created
