"""The API refuses to submit an incomplete item (409 with `missing`) and lets the submitter
recall a submitted item until the records section has received it."""

from repository.models import Submission
from tests.api.factories import LR_PAYLOAD, pdf_upload
from workflow.models import Journey, State


def transition(api, submission_id, name, body=None):
    return api.post(f"/api/v1/submissions/{submission_id}/transitions/{name}", body)


def test_submitting_an_incomplete_item_is_409_with_the_missing_fields(api_as):
    teacher = api_as("teacher.benguet")
    payload = {**LR_PAYLOAD, "summary": "", "languages": []}
    body = teacher.post("/api/v1/submissions", payload).json()
    # The draft says what submitting needs, before anyone tries.
    assert body["missing"][0] == {
        "field": "summary",
        "message": "Summary / description is required.",
    }

    response = transition(teacher, body["id"], "submit")

    assert response.status_code == 409
    answer = response.json()
    assert answer["detail"].startswith("Complete the submission before submitting it.")
    assert answer["missing"] == [
        {"field": "summary", "message": "Summary / description is required."},
        {"field": "languages", "message": "At least one language is required."},
        {"field": "main_file", "message": "The main file is missing."},
        {"field": "ip_declaration_file", "message": "The IP / copyright declaration is missing."},
    ]
    assert answer["missing"] == teacher.get(f"/api/v1/submissions/{body['id']}").json()["missing"]
    assert Journey.objects.get(pk=body["id"]).state == State.DRAFT

    # Filled in (the `<role>_file` keys are uploaded with that role), it is submitted.
    teacher.patch(f"/api/v1/submissions/{body['id']}", {"summary": "Area.", "languages": ["iloko"]})
    for role in ("main", "ip_declaration"):
        upload = teacher.upload(
            f"/api/v1/submissions/{body['id']}/files", {"role": role, "file": pdf_upload()}
        )
        assert upload.status_code == 201
    done = transition(teacher, body["id"], "submit")
    assert done.status_code == 200
    assert done.json()["state"] == "submitted" and done.json()["missing"] == []


def test_recall_until_received(api_as):
    teacher = api_as("teacher.benguet")
    body = teacher.post("/api/v1/submissions", LR_PAYLOAD).json()
    for role in ("main", "ip_declaration"):
        teacher.upload(
            f"/api/v1/submissions/{body['id']}/files", {"role": role, "file": pdf_upload()}
        )
    submitted = transition(teacher, body["id"], "submit").json()
    assert submitted["available_transitions"] == ["recall"]

    # Not theirs: invisible to another division's teacher, refused to the records section.
    assert transition(api_as("teacher.abra"), body["id"], "recall").status_code == 404
    assert transition(api_as("records.benguet"), body["id"], "recall").status_code == 403

    recalled = transition(teacher, body["id"], "recall", {"comment": "Forgot a page."})
    assert recalled.status_code == 200
    answer = recalled.json()
    assert answer["state"] == "draft"
    assert answer["history"][-1]["name"] == "recall"
    assert answer["history"][-1]["comment"] == "Forgot a page."
    assert answer["available_transitions"] == ["submit"]

    transition(teacher, body["id"], "submit")
    assert (
        transition(api_as("records.benguet"), body["id"], "receive_at_division").status_code == 200
    )
    too_late = transition(teacher, body["id"], "recall")
    assert too_late.status_code == 409
    assert (
        "not possible while the submission is Received by the division"
        in (too_late.json()["detail"])
    )
    assert Submission.objects.get(pk=body["id"]).journey.state == State.RECEIVED_BY_DIVISION


def test_openapi_declares_the_missing_list_and_recall(api_as):
    schema = api_as("teacher.benguet").get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    missing = components["ConflictOut"]["properties"]["missing"]
    item = missing["anyOf"][0]["items"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[item]["properties"]) == {"field", "message"}
    operation = schema["paths"]["/api/v1/submissions/{submission_id}/transitions/{name}"]["post"]
    assert "409" in operation["responses"]
    name = next(p for p in operation["parameters"] if p["name"] == "name")
    assert "recall" in name["schema"]["enum"]
    assert "recall" in operation["description"] and "`missing`" in operation["description"]
    detail = components["SubmissionDetailOut"]["properties"]
    assert detail["missing"]["items"]["$ref"].endswith(f"/{item}")
