"""The submissions API: listing and filters, drafts, uploads, downloads and the error contract."""

import hashlib
from urllib.request import urlopen

import pytest

from repository.models import Submission, SubmissionFile
from tests.api.factories import LR_PAYLOAD, PDF_BYTES, pdf_upload
from tests.journeys import submit_before_the_rule
from workflow.models import Journey, State


def create_lr(api, **changes):
    response = api.post("/api/v1/submissions", {**LR_PAYLOAD, **changes})
    assert response.status_code == 201, response.content
    return response.json()


def upload(api, submission_id, role="main", upload_file=None):
    return api.upload(
        f"/api/v1/submissions/{submission_id}/files",
        {"role": role, "file": upload_file or pdf_upload()},
    )


def complete_lr(api, **changes):
    body = create_lr(api, **changes)
    assert upload(api, body["id"], "main").status_code == 201
    assert upload(api, body["id"], "ip_declaration").status_code == 201
    return body


def test_create_draft_returns_the_submission_with_its_actions(api_as):
    teacher = api_as("teacher.benguet")
    body = create_lr(teacher)
    assert body["state"] == "draft"
    assert body["kind"] == "lr"
    assert body["origin_level"] == "district"
    assert body["division"] == "benguet"
    assert body["district"] == "La Trinidad"
    assert body["metadata"]["languages"] == ["english", "iloko"]
    assert body["metadata"]["program"] == "ae-elementary"
    assert body["available_transitions"] == ["submit"]
    assert "The main file is missing." in body["missing_requirements"]
    assert body["public_url"] is None
    submission = Submission.objects.get(pk=body["id"])
    assert submission.created_by.username == "teacher.benguet"
    assert submission.journey.state == State.DRAFT


def test_create_draft_with_bad_fields_is_400_with_field_messages(api_as):
    teacher = api_as("teacher.benguet")
    response = teacher.post(
        "/api/v1/submissions",
        {"kind": "poem", "title": "", "school_year": "2025-2027", "languages": ["klingon"]},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"languages": ["Unknown code: 'klingon'."]}

    response = teacher.post(
        "/api/v1/submissions", {"kind": "poem", "title": "", "school_year": "2025-2027"}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"kind", "title", "school_year"}
    assert "consecutive years" in errors["school_year"][0]

    response = teacher.post("/api/v1/submissions", {**LR_PAYLOAD, "colour": "blue"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["colour"]
    assert not Submission.objects.exists()


def test_only_roles_that_submit_may_create(api_as):
    response = api_as("records.benguet").post("/api/v1/submissions", LR_PAYLOAD)
    assert response.status_code == 403
    assert "detail" in response.json()
    assert not Submission.objects.exists()


def test_upload_stores_real_bytes_in_s3_and_downloads_them(api_as, s3_storage):
    teacher = api_as("teacher.benguet")
    body = create_lr(teacher)
    response = upload(teacher, body["id"], "main", pdf_upload("../../etc/passwd.pdf"))
    assert response.status_code == 201, response.content
    stored = response.json()
    assert stored["role"] == "main" and stored["version"] == 1
    assert stored["mime_type"] == "application/pdf"
    assert stored["size"] == len(PDF_BYTES)
    assert stored["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()

    record = SubmissionFile.objects.get(pk=stored["id"])
    s3_object = s3_storage["client"].get_object(Bucket=s3_storage["bucket"], Key=record.file.name)
    assert s3_object["Body"].read() == PDF_BYTES
    assert "passwd" not in record.file.name

    download = teacher.get(stored["download_url"].replace("http://testserver", ""))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]

    # A second main file is a new version; the old one stays downloadable.
    again = upload(teacher, body["id"], "main", pdf_upload("v2.pdf", PDF_BYTES + b"%v2\n"))
    assert again.status_code == 201 and again.json()["version"] == 2
    files = teacher.get(f"/api/v1/submissions/{body['id']}").json()["files"]
    assert [(f["version"], f["is_current"]) for f in files] == [(2, True), (1, False)]


def test_download_can_redirect_to_a_short_lived_signed_url(api_as, settings):
    settings.SUBMISSION_DOWNLOADS_VIA_SIGNED_URL = True
    teacher = api_as("teacher.benguet")
    body = create_lr(teacher)
    stored = upload(teacher, body["id"]).json()
    response = teacher.get(stored["download_url"].replace("http://testserver", ""))
    assert response.status_code == 302
    signed = response["Location"]
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=60" in signed
    with urlopen(signed) as remote:  # noqa: S310 - the test's own S3 server
        assert remote.read() == PDF_BYTES


def test_rejected_upload_is_400_and_stores_nothing(api_as, s3_storage):
    teacher = api_as("teacher.benguet")
    body = create_lr(teacher)
    before = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"]).get("KeyCount", 0)
    fake = pdf_upload("virus.pdf", b"MZ\x90\x00 this is a windows executable, not a PDF")
    response = upload(teacher, body["id"], "main", fake)
    assert response.status_code == 400
    body_json = response.json()
    assert "not accepted" in body_json["detail"] or "not accepted" in body_json["errors"]["file"][0]
    assert list(body_json["errors"]) == ["file"]
    assert not SubmissionFile.objects.exists()
    after = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"]).get("KeyCount", 0)
    assert after == before

    response = upload(teacher, body["id"], "poster")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["role"]


def test_upload_is_refused_to_others_and_after_submission(api_as):
    teacher = api_as("teacher.benguet")
    body = complete_lr(teacher)
    epsa = api_as("epsa.benguet")
    # Drafts are private to their submitter: another user does not even see it.
    assert upload(epsa, body["id"]).status_code == 404
    assert teacher.post(f"/api/v1/submissions/{body['id']}/transitions/submit").status_code == 200
    response = upload(teacher, body["id"])
    assert response.status_code == 409
    assert "draft or returned" in response.json()["detail"]
    # Now submitted, the division sees it but may not change its files.
    assert upload(epsa, body["id"]).status_code == 403


def test_list_filters_by_state_kind_and_division(api_as):
    benguet = api_as("teacher.benguet")
    abra = api_as("teacher.abra")
    lr = complete_lr(benguet)
    story = create_lr(
        benguet, kind="story", title="From farm hand to A&E passer", learner_featured="Juan"
    )
    abra_lr = complete_lr(abra, title="Abra weaving patterns")
    assert benguet.post(f"/api/v1/submissions/{lr['id']}/transitions/submit").status_code == 200
    assert abra.post(f"/api/v1/submissions/{abra_lr['id']}/transitions/submit").status_code == 200

    own = benguet.get("/api/v1/submissions").json()
    assert own["count"] == 2
    assert {r["id"] for r in own["results"]} == {lr["id"], story["id"]}
    by_state = benguet.get("/api/v1/submissions", {"state": "submitted"}).json()
    assert [r["id"] for r in by_state["results"]] == [lr["id"]]
    by_kind = benguet.get("/api/v1/submissions", {"kind": "story"}).json()
    assert [r["id"] for r in by_kind["results"]] == [story["id"]]

    regional = api_as("records.region")
    everything = regional.get("/api/v1/submissions").json()
    # Drafts stay private to their submitters; submitted work of every division is visible.
    assert {r["id"] for r in everything["results"]} == {lr["id"], abra_lr["id"]}
    in_abra = regional.get("/api/v1/submissions", {"division": "abra"}).json()
    assert [r["id"] for r in in_abra["results"]] == [abra_lr["id"]]
    searched = regional.get("/api/v1/submissions", {"q": "weaving"}).json()
    assert [r["id"] for r in searched["results"]] == [abra_lr["id"]]

    # Scope: Benguet's records section never sees Abra's work.
    benguet_records = api_as("records.benguet").get("/api/v1/submissions").json()
    assert [r["id"] for r in benguet_records["results"]] == [lr["id"]]

    paged = regional.get("/api/v1/submissions", {"page_size": 1, "page": 2}).json()
    assert paged["count"] == 2 and paged["pages"] == 2 and len(paged["results"]) == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"state": "lost"}, "state"),
        ({"kind": "poem"}, "kind"),
        ({"division": "atlantis"}, "division"),
        ({"page_size": 1000}, "page_size"),
        ({"page": "first"}, "page"),
    ],
)
def test_bad_list_filters_are_400_naming_the_field(api_as, params, field):
    response = api_as("records.region").get("/api/v1/submissions", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_unknown_and_invisible_submissions_are_404(api_as):
    teacher = api_as("teacher.benguet")
    body = complete_lr(teacher)
    teacher.post(f"/api/v1/submissions/{body['id']}/transitions/submit")
    abra_records = api_as("records.abra")
    for path in (
        f"/api/v1/submissions/{body['id']}",
        f"/api/v1/submissions/{body['id'] + 999}",
    ):
        response = abra_records.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    response = abra_records.post(
        f"/api/v1/submissions/{body['id']}/transitions/receive_at_division"
    )
    assert response.status_code == 404
    assert Journey.objects.get(pk=body["id"]).state == State.SUBMITTED
    file_id = teacher.get(f"/api/v1/submissions/{body['id']}").json()["files"][0]["id"]
    download = abra_records.get(f"/api/v1/submissions/{body['id']}/files/{file_id}/download")
    assert download.status_code == 404


def test_transition_out_of_role_is_403(api_as):
    teacher = api_as("teacher.benguet")
    body = complete_lr(teacher)
    teacher.post(f"/api/v1/submissions/{body['id']}/transitions/submit")
    # The submitter may see it but is not the records section.
    response = teacher.post(f"/api/v1/submissions/{body['id']}/transitions/receive_at_division")
    assert response.status_code == 403
    # The regional records section sees it (region scope) but receives only at the region.
    response = api_as("records.region").post(
        f"/api/v1/submissions/{body['id']}/transitions/receive_at_division"
    )
    assert response.status_code == 403
    assert Journey.objects.get(pk=body["id"]).state == State.SUBMITTED


def test_unavailable_transition_is_409_and_unknown_name_404(api_as):
    teacher = api_as("teacher.benguet")
    body = complete_lr(teacher)
    teacher.post(f"/api/v1/submissions/{body['id']}/transitions/submit")
    records = api_as("records.benguet")
    assert (
        records.post(
            f"/api/v1/submissions/{body['id']}/transitions/receive_at_division"
        ).status_code
        == 200
    )
    again = records.post(f"/api/v1/submissions/{body['id']}/transitions/receive_at_division")
    assert again.status_code == 409
    assert "not possible" in again.json()["detail"]
    unknown = records.post(f"/api/v1/submissions/{body['id']}/transitions/teleport")
    assert unknown.status_code == 404
    assert Journey.objects.get(pk=body["id"]).state == State.RECEIVED_BY_DIVISION
    assert Submission.objects.get(pk=body["id"]).receipts.count() == 1


def test_stale_transition_is_409(api_as):
    teacher = api_as("teacher.benguet")
    body = complete_lr(teacher)
    teacher.post(f"/api/v1/submissions/{body['id']}/transitions/submit")
    records = api_as("records.benguet")
    seen = records.get(f"/api/v1/submissions/{body['id']}").json()
    assert "return_incomplete" in seen["available_transitions"]
    # Someone else receives it meanwhile ...
    assert (
        api_as("admin")
        .post(f"/api/v1/submissions/{body['id']}/transitions/receive_at_division")
        .status_code
        == 200
    )
    # ... so the return this user decided on the old version is refused.
    response = records.post(
        f"/api/v1/submissions/{body['id']}/transitions/return_incomplete",
        {"comment": "Scan is unreadable", "expected_version": seen["version"]},
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "This submission changed, reload."
    assert Journey.objects.get(pk=body["id"]).state == State.RECEIVED_BY_DIVISION


def test_receiving_an_incomplete_submission_is_409_with_what_is_missing(api_as, user_named):
    teacher = api_as("teacher.benguet")
    body = create_lr(teacher)  # no files
    # Submitted before submitting needed a complete item (the API refuses it now).
    submit_before_the_rule(user_named("teacher.benguet"), Submission.objects.get(pk=body["id"]))
    response = api_as("records.benguet").post(
        f"/api/v1/submissions/{body['id']}/transitions/receive_at_division"
    )
    assert response.status_code == 409
    assert {"field": "main_file", "message": "The main file is missing."} in response.json()[
        "missing"
    ]


def test_bad_review_is_400_with_item_messages(api_as):
    teacher = api_as("teacher.benguet")
    body = complete_lr(teacher)
    teacher.post(f"/api/v1/submissions/{body['id']}/transitions/submit")
    api_as("records.benguet").post(
        f"/api/v1/submissions/{body['id']}/transitions/receive_at_division"
    )
    reviewer = api_as("lrqa.benguet")
    claimed = reviewer.post(f"/api/v1/submissions/{body['id']}/transitions/claim_division_review")
    assert claimed.json()["claimed_by"] == "lrqa.benguet"
    assert claimed.json()["review_sheet"]["sheet"] == "lrmds"
    response = reviewer.post(
        f"/api/v1/submissions/{body['id']}/transitions/endorse_to_region",
        {"review": {"items": {"content_1": 3}}},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["content_1"] == ["A rating below 4 needs a comment."]
    assert "accuracy_1" in errors
    assert Journey.objects.get(pk=body["id"]).state == State.UNDER_DIVISION_REVIEW


def test_patch_changes_only_the_fields_sent(api_as):
    teacher = api_as("teacher.benguet")
    body = create_lr(teacher)
    response = teacher.patch(
        f"/api/v1/submissions/{body['id']}",
        {"title": "Terraces, revised", "languages": ["english"]},
    )
    assert response.status_code == 200, response.content
    updated = response.json()
    assert updated["title"] == "Terraces, revised"
    assert updated["metadata"]["languages"] == ["english"]
    assert updated["metadata"]["program"] == "ae-elementary"
    bad = teacher.patch(f"/api/v1/submissions/{body['id']}", {"school_year": "next year"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["school_year"]
