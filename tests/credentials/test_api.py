"""`/api/v1/credentials`: achievements, a batch from an awardees list (preview, confirm), approve,
issue, the batch PDF, revoke; status codes, shapes and the OpenAPI document."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credentials.models import Award, AwardBatch, AwardState, BatchState
from learners.models import Learner
from tests.api.conftest import ApiClient

from .roster_files import to_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(client, user_named):
    """`api_as("epsa.benguet")`: an ApiClient with a fresh bearer token of that demo user."""
    from api.services import issue_token

    def login(username):
        raw, _token = issue_token(user_named(username))
        return ApiClient(client, raw)

    return login


BASE = "/api/v1/credentials"


def awardees(benguet_learners, *, refused=True):
    """Row 2 matched, 3 differing (another first name), 4 new, 5 refused (a bad LRN)."""
    maria, pedro, _ana = benguet_learners
    rows = [
        [maria.lrn, "Bagtang", "Maria", "", "", "F", "2004-05-01", "Led the clean-up drive."],
        [pedro.lrn, "Dalisay", "Pedrito", "", "", "F", "2004-05-01", "Organised a reading club."],
        ["136512259100", "Lumidao", "Grace", "Sapdoy", "", "F", "2003-02-03", "Tutored peers."],
    ]
    if refused:
        rows.append(["12345", "Pacio", "Lito", "", "", "M", "2001-01-01", ""])
    return to_csv(rows)


def batch_form(achievement, content, **extra):
    return {
        "division": "benguet",
        "achievements": [achievement.slug],
        "ceremony_date": "2025-12-19",
        "venue": "La Trinidad Municipal Gym",
        "signatories": json.dumps([{"name": "Juana Santos", "position": "SDS"}]),
        "file": SimpleUploadedFile("awardees.csv", content, content_type="text/csv"),
        **extra,
    }


def test_achievements_are_listed(api_as, achievement):
    response = api_as("teacher.benguet").get(f"{BASE}/achievements")
    assert response.status_code == 200
    (found,) = [a for a in response.json() if a["slug"] == achievement.slug]
    assert found["competency_elements"] == achievement.elements
    assert found["raters"] == ["self", "teacher", "community"] and found["pass_mean"] == 3.0


def test_a_token_is_needed(client, achievement):
    response = client.get(f"{BASE}/achievements")
    assert response.status_code == 401 and "detail" in response.json()


def test_the_preview_shows_the_four_kinds_and_writes_nothing(api_as, achievement, benguet_learners):
    api = api_as("epsa.benguet")
    before = Learner.objects.count()
    response = api.upload(f"{BASE}/batches", batch_form(achievement, awardees(benguet_learners)))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {"matched": 1, "differing": 1, "new": 1, "refused": 1}
    kinds = {row["row"]: row["kind"] for row in body["rows"]}
    assert kinds == {2: "matched", 3: "differing", 4: "new", 5: "refused"}
    differing = body["rows"][1]
    assert differing["registry_name"] == "Pedro Dalisay" and differing["needs_decision"]
    assert body["rows"][3]["reasons"]
    assert Learner.objects.count() == before and not AwardBatch.objects.exists()


def test_confirming_with_a_refused_row_writes_nothing(api_as, achievement, benguet_learners):
    api = api_as("epsa.benguet")
    form = batch_form(achievement, awardees(benguet_learners), confirm="true")
    response = api.upload(f"{BASE}/batches", form)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "row 5" in errors and "row 3" in errors  # refused; differing without a decision
    assert not AwardBatch.objects.exists()
    assert not Learner.objects.filter(lrn="136512259100").exists()


def create(api, achievement, benguet_learners):
    content = awardees(benguet_learners, refused=False)
    form = batch_form(achievement, content, confirm="true", decisions=json.dumps({"3": "file"}))
    response = api.upload(f"{BASE}/batches", form)
    assert response.status_code == 201, response.content
    return response.json()


def test_the_batch_is_created_approved_issued_and_printed(api_as, achievement, benguet_learners):
    body = create(api_as("focal.benguet"), achievement, benguet_learners)
    assert body["state"] == "draft" and body["member_count"] == 3 and body["awards"] == []
    assert body["signatories"] == [{"name": "Juana Santos", "position": "SDS"}]
    assert Learner.objects.filter(lrn="136512259100", division__slug="benguet").exists()
    batch_url = f"{BASE}/batches/{body['id']}"
    preparer = api_as("focal.benguet")
    # The preparer may not approve; another division does not see the batch.
    assert preparer.post(f"{batch_url}/approve").status_code == 403
    assert api_as("epsa.abra").post(f"{batch_url}/approve").status_code == 404
    approver = api_as("epsa.benguet")
    assert approver.get(f"{batch_url}/pdf").status_code == 409
    approved = approver.post(f"{batch_url}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert approver.post(f"{batch_url}/approve").status_code == 409
    issued = approver.post(f"{batch_url}/issue")
    assert issued.status_code == 200, issued.content
    awards = issued.json()["awards"]
    assert issued.json()["state"] == "issued" and len(awards) == 3
    assert {a["name_as_printed"] for a in awards} == {
        "Maria Bagtang",
        "Pedrito Dalisay",
        "Grace Sapdoy Lumidao",
    }
    assert all(a["state"] == "valid" and a["code"] for a in awards)
    pdf = approver.get(f"{batch_url}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf).startswith(b"%PDF")
    listed = approver.get(f"{BASE}/batches", {"state": "issued"}).json()
    assert [b["id"] for b in listed] == [body["id"]]
    assert api_as("epsa.abra").get(f"{BASE}/batches").json() == []


def test_revoke(api_as, batch, user_named):
    from credentials import services

    epsa = user_named("epsa.benguet")
    services.approve_batch(epsa, batch)
    services.issue_batch(epsa, AwardBatch.objects.get(pk=batch.pk))
    award = Award.objects.filter(batch=batch).first()
    url = f"{BASE}/awards/{award.pk}/revoke"
    assert api_as("focal.benguet").post(url, {"reason": "Wrong person"}).status_code == 403
    assert api_as("epsa.abra").post(url, {"reason": "Wrong person"}).status_code == 404
    api = api_as("epsa.benguet")
    assert api.post(url, {"reason": ""}).status_code == 400
    assert api.post(url, {}).status_code == 400
    response = api.post(url, {"reason": "Wrong person"})
    assert response.status_code == 200
    assert response.json()["state"] == "revoked" and response.json()["revoked_at"]
    assert Award.objects.get(pk=award.pk).state == AwardState.REVOKED
    assert api.post(url, {"reason": "Again"}).status_code == 409
    assert api.get(f"{BASE}/awards/{award.pk}").json()["revoke_reason"] == "Wrong person"


def test_bad_input_is_a_400_never_a_500(api_as, achievement, benguet_learners):
    api = api_as("epsa.benguet")
    content = awardees(benguet_learners)
    for extra in (
        {"division": "atlantis"},
        {"achievements": ["no-such-thing"]},
        {"signatories": "not json"},
        {"signatories": json.dumps([{"position": "SDS"}])},
        {"decisions": json.dumps({"x": "file"})},
        {"ceremony_date": "yesterday"},
        {"venue": " "},
    ):
        response = api.upload(f"{BASE}/batches", batch_form(achievement, content, **extra))
        assert response.status_code == 400, (extra, response.content)
        assert "detail" in response.json()
    pdf = SimpleUploadedFile("awardees.csv", b"%PDF-1.7\x00\x01", content_type="text/csv")
    response = api.upload(f"{BASE}/batches", {**batch_form(achievement, content), "file": pdf})
    assert response.status_code == 400 and "file" in response.json()["detail"]
    assert api.get(f"{BASE}/batches/999999").status_code == 404
    assert api.post(f"{BASE}/batches/abc/approve").status_code == 404


def test_another_division_may_not_prepare(api_as, achievement, benguet_learners):
    response = api_as("epsa.abra").upload(
        f"{BASE}/batches", batch_form(achievement, awardees(benguet_learners))
    )
    assert response.status_code == 403


def test_cancel(api_as, batch):
    response = api_as("focal.benguet").post(f"{BASE}/batches/{batch.pk}/cancel")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert AwardBatch.objects.get(pk=batch.pk).state == BatchState.CANCELLED


def test_the_openapi_document_lists_the_operations_and_enums(client, achievement):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/credentials/achievements",
        "/api/v1/credentials/batches",
        "/api/v1/credentials/batches/{batch_id}/approve",
        "/api/v1/credentials/batches/{batch_id}/issue",
        "/api/v1/credentials/batches/{batch_id}/pdf",
        "/api/v1/credentials/awards/{award_id}/revoke",
    ):
        assert path in paths, path
    schemas = document["components"]["schemas"]
    row = schemas["PreviewRowOut"]["properties"]["kind"]
    assert row["enum"] == ["matched", "differing", "new", "refused"]
    assert schemas["BatchOut"]["properties"]["state"]["enum"] == [
        "draft",
        "approved",
        "issued",
        "cancelled",
    ]
    assert schemas["AwardOut"]["properties"]["state"]["enum"] == ["valid", "revoked", "replaced"]
    pdf = paths["/api/v1/credentials/batches/{batch_id}/pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]
    body = paths["/api/v1/credentials/batches"]["post"]["requestBody"]["content"]
    form = next(iter(body.values()))["schema"]
    assert "file" in json.dumps(form) or "$ref" in json.dumps(form)
