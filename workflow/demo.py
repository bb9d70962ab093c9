"""Demo submissions for `seed_demo`: a handful of items from Benguet and Abra in different states,
each with small real PDF files, moved along through the real workflow service. Safe to re-run:
submissions are recognised by title and not created twice.
"""

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from repository.models import Submission

from .review import sheet_for
from .services import create_submission, perform_transition, upload_file

DEMO_TITLE_PREFIX = "[Demo] "


def sample_pdf(title, pages=1):
    """A small, real PDF (drawn with Pillow) carrying the title on each page."""
    images = []
    for page in range(1, pages + 1):
        image = Image.new("RGB", (420, 595), "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle((20, 20, 400, 575), outline="black", width=2)
        draw.text((40, 60), title[:60], fill="black")
        draw.text((40, 100), f"Alternative Learning System — page {page}", fill="black")
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def pdf_upload(title, name="document.pdf"):
    return SimpleUploadedFile(name, sample_pdf(title), content_type="application/pdf")


def lr_data(title, **overrides):
    """Complete LRMDS metadata for a learning resource (vocabulary terms by code)."""
    data = {
        "kind": Submission.Kind.LEARNING_RESOURCE,
        "title": title,
        "summary": "A self-paced module with activities drawn from daily life in the Cordillera.",
        "authors": "Juan Dela Cruz, Maria Bayanan",
        "keywords": "fractions, market, budgeting",
        "languages": ["english", "iloko"],
        "school_year": "2025-2026",
        "learning_strands": ["ls3"],
        "program": "ae-elementary",
        "curriculum_level": "advanced-elementary",
        "material_type": "print",
        "resource_type": "learning-activity-sheet",
        "education_type": "als",
        "intended_users": ["learners", "als-teachers"],
        "competencies": "Solves problems involving fractions in buying and selling.",
        "content_topic": "Fractions in the market",
        "objectives": "Compute change and unit prices.",
        "developer": "ALS teachers of the district",
        "copyright": "No copyright: work of the Government of the Philippines (RA 8293 s. 176)",
        "copyright_owner": "Department of Education",
    }
    data.update(overrides)
    return data


def passing_review(submission):
    """A review in which every item gets the top mark (all yes for checklists)."""
    sheet = sheet_for(submission)
    value = 4 if sheet["scale"] else True
    items = {item["key"]: value for factor in sheet["factors"] for item in factor["items"]}
    return {"items": items, "comment": "Meets the standard."}


def _user(username):
    return get_user_model().objects.get(username=username)


def _lr(teacher, title):
    submission = Submission.objects.filter(title=title).first()
    if submission is not None:
        return submission, False
    submission = create_submission(teacher, lr_data(title))
    upload_file(teacher, submission, pdf_upload(title, "module.pdf"), "main")
    upload_file(
        teacher, submission, pdf_upload("IP declaration", "ip-declaration.pdf"), "ip_declaration"
    )
    return submission, True


def seed_submissions(slugs=("benguet", "abra")):
    """A few demo submissions per division, in different states; returns how many were created."""
    created = 0
    for slug in slugs:
        teacher = _user(f"teacher.{slug}")
        records = _user(f"records.{slug}")
        lrqa = _user(f"lrqa.{slug}")
        name = slug.title()

        # A draft the teacher is still working on.
        _draft, new = _lr(teacher, f"{DEMO_TITLE_PREFIX}{name}: Reading the barangay map (draft)")
        created += new

        # Submitted, waiting for the records section.
        item, new = _lr(teacher, f"{DEMO_TITLE_PREFIX}{name}: Fractions in the market")
        if new:
            perform_transition(teacher, item, "submit")
            created += 1

        # Received, in the division's review pool.
        item, new = _lr(teacher, f"{DEMO_TITLE_PREFIX}{name}: Saving for the family")
        if new:
            perform_transition(teacher, item, "submit")
            perform_transition(records, item, "receive_at_division")
            created += 1

        # Returned for revision by the division reviewer.
        item, new = _lr(teacher, f"{DEMO_TITLE_PREFIX}{name}: Clean water at home")
        if new:
            perform_transition(teacher, item, "submit")
            perform_transition(records, item, "receive_at_division")
            perform_transition(lrqa, item, "claim_division_review")
            review = passing_review(item)
            review["items"]["accuracy_2"] = 2
            review["item_comments"] = {"accuracy_2": "The boiling time on page 3 is wrong."}
            perform_transition(
                lrqa,
                item,
                "return_for_revision",
                review=review,
                reasons=["factual-errors"],
                comment="Please correct the boiling time and resubmit.",
            )
            created += 1

        # Endorsed to the region, waiting for the regional records section.
        item, new = _lr(teacher, f"{DEMO_TITLE_PREFIX}{name}: My first resume")
        if new:
            perform_transition(teacher, item, "submit")
            perform_transition(records, item, "receive_at_division")
            perform_transition(lrqa, item, "claim_division_review")
            perform_transition(lrqa, item, "endorse_to_region", review=passing_review(item))
            created += 1

        # A success story with the learner's consent, waiting for the records section.
        title = f"{DEMO_TITLE_PREFIX}{name}: From the farm to a diploma"
        if not Submission.objects.filter(title=title).exists():
            story = create_submission(teacher, story_data(title))
            upload_file(teacher, story, pdf_upload(title, "story.pdf"), "main")
            upload_file(teacher, story, pdf_upload("Consent", "consent.pdf"), "consent")
            perform_transition(teacher, story, "submit")
            created += 1

    # One learning resource approved by the region, ready for regional ALS personnel to publish.
    if "benguet" in slugs:
        item, new = _lr(
            _user("teacher.benguet"), f"{DEMO_TITLE_PREFIX}Benguet: Numbers in the rice terraces"
        )
        if new:
            _to_approved(item)
            created += 1
    return created


def story_data(title):
    return {
        "kind": Submission.Kind.SUCCESS_STORY,
        "title": title,
        "summary": "How an out-of-school youth finished A&E Secondary while farming.",
        "authors": "District ALS teacher",
        "keywords": "success story, A&E, perseverance",
        "languages": ["english"],
        "school_year": "2025-2026",
        "learner_featured": "Ana B.",
        "learner_named_or_pictured": True,
    }


def _to_approved(item):
    slug = item.division.slug
    steps = [
        (f"teacher.{slug}", "submit"),
        (f"records.{slug}", "receive_at_division"),
        (f"lrqa.{slug}", "claim_division_review"),
        (f"lrqa.{slug}", "endorse_to_region"),
        ("records.region", "receive_at_region"),
        ("lrqa.region", "claim_regional_review"),
        ("lrqa.region", "approve"),
    ]
    for username, name in steps:
        review = passing_review(item) if name in ("endorse_to_region", "approve") else None
        perform_transition(_user(username), item, name, review=review)
