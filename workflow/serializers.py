"""Plain-data views of submissions for the API, and API input turned into submission-form data."""

from django import forms
from django.urls import reverse
from ninja.errors import ValidationError

from repository.forms import SubmissionForm
from repository.services import missing_items

from . import services
from .review import sheet_for


def person(user):
    """How a user appears in API output: the username (stable, unique)."""
    return user.get_username() if user is not None else None


def _code(obj):
    return getattr(obj, "code", None) or str(obj.pk)


def form_fields():
    """The metadata fields of a submission, in form order."""
    return list(SubmissionForm._meta.fields)


def metadata_of(submission):
    """The submission form's fields as JSON values; vocabulary terms appear as their codes."""
    data = {}
    for name in form_fields():
        field = submission._meta.get_field(name)
        if field.many_to_many:
            data[name] = [_code(term) for term in getattr(submission, name).all()]
        elif field.is_relation:
            term = getattr(submission, name)
            data[name] = _code(term) if term is not None else None
        else:
            data[name] = getattr(submission, name)
    return data


def public_url(submission):
    """The public page of a published submission (created by the cms app), else None."""
    if submission.journey.state != "published":
        return None
    page = getattr(submission, "public_page", None)
    if page is None or not page.live:
        return None
    return page.full_url


def _invalid(errors):
    return ValidationError(
        [
            {"loc": ("body", "payload", field), "msg": message}
            for field, messages in errors.items()
            for message in messages
        ]
    )


def _term_pk(queryset, value):
    """A vocabulary term's primary key from its code (or its id); None when unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if queryset.filter(pk=value).exists() else None
    if isinstance(value, str):
        return queryset.filter(code=value.strip()).values_list("pk", flat=True).first()
    return None


# Not form fields, but create_submission reads them to choose the origin unit of a user who
# submits for more than one (ids of the unit).
ORIGIN_KEYS = {"origin_level", "region", "division", "district"}


def form_data_from_payload(payload):
    """Translate an API body into SubmissionForm data for create_submission / update_draft.

    Vocabulary fields take codes (`"languages": ["english"]`, `"program": "blp"`) or ids; unknown
    fields and unknown codes are 400 errors naming the field.
    """
    form = SubmissionForm()
    errors = {}
    data = {}
    for name, value in payload.items():
        field = form.fields.get(name)
        if field is None:
            if name in ORIGIN_KEYS:
                data[name] = value
            else:
                errors[name] = ["Unknown field."]
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            if value is None:
                value = []
            if not isinstance(value, list):
                errors[name] = ["Send a list of codes."]
                continue
            pks = []
            for item in value:
                pk = _term_pk(field.queryset, item)
                if pk is None:
                    errors.setdefault(name, []).append(f"Unknown code: {item!r}.")
                pks.append(pk)
            data[name] = pks
        elif isinstance(field, forms.ModelChoiceField):
            if value in (None, ""):
                data[name] = ""
                continue
            pk = _term_pk(field.queryset, value)
            if pk is None:
                errors[name] = [f"Unknown code: {value!r}."]
            data[name] = pk
        elif value is None:
            data[name] = False if isinstance(field, forms.BooleanField) else ""
        else:
            data[name] = value
    if errors:
        raise _invalid(errors)
    return data


def _file(submission_file, absolute):
    path = reverse("api-v1:download_file", args=[submission_file.submission_id, submission_file.pk])
    return {
        "id": submission_file.pk,
        "role": submission_file.role,
        "version": submission_file.version,
        "is_current": submission_file.is_current,
        "original_name": submission_file.original_name,
        "size": submission_file.size,
        "sha256": submission_file.sha256,
        "mime_type": submission_file.mime_type,
        "uploaded_by": person(submission_file.uploaded_by),
        "uploaded_at": submission_file.uploaded_at,
        "download_url": absolute(path),
    }


def submission_summary(submission, *, absolute):
    """The fields of a submission shown in listings."""
    journey = submission.journey
    return {
        "id": submission.pk,
        "kind": submission.kind,
        "title": submission.title,
        "state": journey.state,
        "state_label": str(journey.get_state_display()),
        "origin_level": submission.origin_level,
        "division": submission.division.slug if submission.division_id else None,
        "district": submission.district.name if submission.district_id else None,
        "school_year": submission.school_year,
        "created_by": person(submission.created_by),
        "created_at": submission.created_at,
        "updated_at": submission.updated_at,
        "url": absolute(reverse("api-v1:get_submission", args=[submission.pk])),
    }


def submission_detail(submission, user, *, absolute):
    """Everything about one submission that `user` may see, plus what they may do now."""
    journey = submission.journey
    available = services.available_transitions(user, submission)
    needs_review = {"endorse_to_region", "approve", "return_for_revision"} & set(available)
    files = submission.files.select_related("uploaded_by").order_by("role", "lineage", "-version")
    missing = missing_items(submission)
    return {
        **submission_summary(submission, absolute=absolute),
        "summary": submission.summary,
        "metadata": metadata_of(submission),
        "claimed_by": person(journey.claimed_by),
        "version": journey.version,
        "state_changed_at": journey.state_changed_at,
        "available_transitions": available,
        "missing_requirements": [item.message for item in missing],
        "missing": [item.as_dict() for item in missing],
        "review_sheet": sheet_for(submission) if needs_review else None,
        "files": [_file(f, absolute) for f in files],
        "stamps": [
            {
                "control_number": stamp.control_number,
                "office": str(stamp.office_name),
                "office_level": stamp.office_level,
                "received_at": stamp.received_at_manila,
                "received_by": person(stamp.received_by),
            }
            for stamp in submission.receipts.select_related("received_by", "division", "region")
        ],
        "reviews": [
            {
                "id": review.pk,
                "level": review.level,
                "sheet": review.sheet,
                "outcome": review.outcome,
                "comment": review.comment,
                "reviewer": person(review.reviewer),
                "created_at": review.created_at,
                "answers": review.answers,
            }
            for review in submission.reviews.select_related("reviewer")
        ],
        "history": [
            {
                "name": record.name,
                "from_state": record.from_state,
                "to_state": record.to_state,
                "actor": person(record.actor),
                "at": record.at,
                "comment": record.comment,
                "reasons": record.reasons,
                "details": record.details,
            }
            for record in submission.history.select_related("actor")
        ],
        "public_url": public_url(submission),
    }
