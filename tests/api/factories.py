"""Shared test data for the API and staff-UI tests: a complete learning resource and review sheets."""

from django.core.files.uploadedfile import SimpleUploadedFile

from workflow.review import sheet_for

# A small but real PDF: the upload sniffer decides the type from these bytes.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

LR_PAYLOAD = {
    "kind": "lr",
    "title": "Measuring Rice Terraces: Area and Perimeter",
    "summary": "Learning activity sheets on area and perimeter using Benguet's terraces.",
    "authors": "Teacher Benguet",
    "keywords": "area, perimeter, terraces",
    "languages": ["english", "iloko"],
    "school_year": "2025-2026",
    "learning_strands": ["ls3"],
    "program": "ae-elementary",
    "curriculum_level": "advanced-elementary",
    "material_type": "print",
    "resource_type": "learning-activity-sheet",
    "education_type": "als",
    "intended_users": ["learners"],
    "competencies": "Solve problems involving area and perimeter.",
    "content_topic": "Area and perimeter",
    "objectives": "Compute the area of irregular plots.",
    "copyright": "No copyright: work of the Government (RA 8293 s. 176)",
    "copyright_owner": "DepEd CAR",
}


def pdf_upload(name="lr.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def passing_review(submission, comment="Meets every criterion."):
    """A rating sheet (or checklist) with the top answer everywhere."""
    sheet = sheet_for(submission)
    items = {}
    for factor in sheet["factors"]:
        for item in factor["items"]:
            items[item["key"]] = 4 if sheet["scale"] else True
    return {"items": items, "item_comments": {}, "comment": comment}


def revising_review(submission, comment="Please fix the computations on page 3."):
    """A rating sheet that asks for changes: two items scored 3 with their comments."""
    review = passing_review(submission, comment)
    review["items"]["content_3"] = 3
    review["items"]["format_1"] = 3
    review["item_comments"] = {
        "content_3": "Add problems that need more reasoning.",
        "format_1": "Use a larger font for the tables.",
    }
    return review
