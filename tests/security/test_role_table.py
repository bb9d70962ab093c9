"""The permission table of every role, tested as a table (issue 11, "Done when").

Every role (and anonymous) × every API operation and the main admin views × an object of the
role's own unit (Benguet) and of another unit (Abra) → the documented answer. The API rows are
checked against the operations the ninja API really has, so an operation added without a row here
fails `test_every_api_operation_has_a_row`.

Answers: a status code, or "login" (the admin's redirect to its sign-in page) or "refused" (the
admin's answer to PermissionDenied: a redirect to the dashboard with "Sorry, you do not have
permission"). Regional roles cover both divisions, so their "other unit" is still in scope.

The objects are built once per module; every test runs in its own transaction, rolled back, so a
successful write in one case cannot change another.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisation.models import CommunityLearningCenter, Division, Role
from organisation.services import assign_role

ROLES = [
    "anonymous",
    "teacher",
    "records_div",
    "records_reg",
    "epsa",
    "focal",
    "encoder",
    "lrqa_div",
    "lrqa_reg",
    "als_reg",
    "sysadmin",
    "superuser",
]
USERNAMES = {
    "teacher": "teacher.benguet",
    "records_div": "records.benguet",
    "records_reg": "records.region",
    "epsa": "epsa.benguet",
    "focal": "focal.benguet",
    "encoder": "encoder.benguet",
    "lrqa_div": "lrqa.benguet",
    "lrqa_reg": "lrqa.region",
    "als_reg": "als.region",
    "sysadmin": "sysadmin.region",
    "superuser": "admin",
}
UNITS = {"own": "benguet", "other": "abra"}
AF3_UNITS = {
    "benguet": ("Benguet", "La Trinidad", [("Poblacion La Trinidad CLC", 3)]),
    "abra": ("Abra", "Bangued I", [("Zone 1 Barangay Hall CLC", 3)]),
}


# --- the objects, once per module ---------------------------------------------------------------


def _build_world():
    from alsmis.demo import seed_organisation, seed_users
    from api.services import issue_token
    from cms.site_setup import ensure_site_structure
    from learners.demo import seed_cycles
    from learners.models import Enrolment, Learner
    from snapshots import samples
    from snapshots import services as snapshot_services
    from snapshots.models import ReportingPeriod
    from uploads.services import start_upload
    from workflow.demo import lr_data, pdf_upload
    from workflow.services import create_submission, perform_transition, upload_file

    ensure_site_structure()
    region = seed_organisation()
    seed_users(region)
    from django.contrib.auth import get_user_model

    User = get_user_model()
    encoder = User.objects.create_user("encoder.benguet", email="encoder.benguet@example.org")
    assign_role(encoder, Role.ENCODER, Division.objects.get(slug="benguet"))
    users = {role: User.objects.get(username=name) for role, name in USERNAMES.items()}
    cycles = seed_cycles()
    cycle = next(iter(cycles.values()))
    period = ReportingPeriod.objects.create(
        code="2026",
        cycle=ReportingPeriod.Cycle.CALENDAR_YEAR,
        start_year=2026,
        deadline=datetime.date(2026, 12, 15),
    )
    world = {"users": users, "tokens": {}, "units": {}}
    for role, user in users.items():
        world["tokens"][role] = issue_token(user)[0]
    for index, slug in enumerate(["benguet", "abra"]):
        division = Division.objects.get(slug=slug)
        teacher = User.objects.get(username=f"teacher.{slug}")
        district = teacher.role_assignments.get().district
        draft = create_submission(teacher, lr_data(f"Private draft of {slug}"))
        upload_file(teacher, draft, pdf_upload("draft", "draft.pdf"), "main")
        received = create_submission(teacher, lr_data(f"Received module of {slug}"))
        upload_file(teacher, received, pdf_upload("module", "module.pdf"), "main")
        upload_file(teacher, received, pdf_upload("IP", "ip.pdf"), "ip_declaration")
        perform_transition(teacher, received, "submit")
        records = User.objects.get(username=f"records.{slug}")
        perform_transition(records, received, "receive_at_division")
        clc = CommunityLearningCenter.objects.filter(district=district).first()
        learner = Learner.objects.create(
            lrn=f"13651225{index:04d}",
            last_name="Bayanan",
            first_name=f"Learner {slug}",
            birthdate=datetime.date(2006, 3, 14),
            sex="F",
        )
        if hasattr(learner, "division_id"):
            learner.division = division
            learner.save()
        Enrolment.objects.create(
            learner=learner,
            cycle=cycle,
            clc=clc,
            program="AE_JHS",
            delivery_mode="F2F",
            date_first_attendance=cycle.start_date,
        )
        division_name, district_name, clcs = AF3_UNITS[slug]
        rows = samples.af3_rows(
            3,
            region="CAR",
            division=division_name,
            district=district_name,
            year=2026,
            clcs=clcs,
            lrn_start=200000000000 + index * 1000,
        )
        job = snapshot_services.start_import(
            teacher,
            form="AF3",
            period=period,
            division=division,
            district=district,
            upload=SimpleUploadedFile("af3.csv", samples.to_csv("AF3", rows)),
        )
        assert job.snapshot_id, job.message
        upload = start_upload(
            teacher,
            draft,
            name="scan.pdf",
            size=6_000_000,
            mime_type="application/pdf",
            role="main",
        )
        to_cancel = start_upload(
            teacher,
            draft,
            name="scan.pdf",
            size=6_000_000,
            mime_type="application/pdf",
            role="main",
        )
        world["units"][slug] = {
            "upload": upload,
            "upload_to_cancel": to_cancel,
            "division": division,
            "clc": clc,
            "draft": draft,
            "received": received,
            "file": received.files.first(),
            "stamp": received.receipts.first(),
            "learner": learner,
            "snapshot": job.snapshot,
            "job": job,
            "epsa": User.objects.get(username=f"epsa.{slug}"),
        }
    _build_credentials(world)
    world["sessions"] = {role: _signed_in_session(user) for role, user in users.items()}
    return world


def _signed_in_session(user):
    """The session cookie of `user` signed in to the admin (as `Client.force_login` makes it),
    made once for the module: every admin case of the role presents it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    # The learner screens start with "confirm the data source" (learners.views).
    session = client.session
    session["learners_source_confirmed"] = True
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _build_credentials(world):
    """An achievement; per division a prepared, an approved and an issued award batch of the
    unit's learner (prepared by the focal person, approved and issued by the EPSA)."""
    from credentials import services as credential_services
    from credentials.models import Achievement

    achievement = Achievement.objects.create(
        slug="role-table-communication",
        name="Communication",
        description="Communicates clearly.",
        competency_elements="Listens actively",
        learning_strand="LS1 Communication Skills",
        pqf_level=1,
        criteria_narrative="Rated 3 or more.",
        assessment_method="360° assessment",
        raters=["teacher"],
        certificate_wording="has demonstrated communication skills",
    )
    world["achievement"] = achievement
    from django.contrib.auth import get_user_model

    User = get_user_model()
    for slug, unit in world["units"].items():
        focal = User.objects.get(username=f"focal.{slug}")

        def prepared(unit=unit, focal=focal):
            return credential_services.prepare_batch(
                focal,
                division=unit["division"],
                achievements=[achievement],
                ceremony_date=datetime.date(2025, 12, 19),
                venue="Recognition day",
                signatories=[{"name": "Juana Santos", "position": "SDS"}],
                members=[(unit["learner"], "Learner Bayanan", "Led the clean-up drive.")],
            )

        unit["batch_draft"] = prepared()
        approved = prepared()
        credential_services.approve_batch(unit["epsa"], approved)
        unit["batch_approved"] = approved
        issued = prepared()
        credential_services.approve_batch(unit["epsa"], issued)
        issued.refresh_from_db()
        unit["award"] = credential_services.issue_batch(unit["epsa"], issued)[0]
        unit["batch_issued"] = issued


def _awardees_csv(unit):
    learner = unit["learner"]
    content = (
        "LRN,Last Name,First Name,Middle Name,Name Extension,Sex,Birthdate,Narrative\n"
        f"{learner.lrn},{learner.last_name},{learner.first_name},,,F,"
        f"{learner.birthdate.isoformat()},Led the clean-up drive.\n"
    )
    return SimpleUploadedFile("awardees.csv", content.encode(), content_type="text/csv")


@pytest.fixture(scope="module")
def world(module_transaction):
    """The table's objects, built once; rolled back after the module (tests/conftest.py)."""
    return _build_world()


@pytest.fixture
def call(world, db, client):
    """call(role, operation, unit) → the answer, as the table writes it."""

    def run(role, op, unit_key):
        unit = world["units"][UNITS.get(unit_key, "benguet")]
        spec = op(unit, world)
        method, url = spec[0], spec[1]
        data = spec[2] if len(spec) > 2 else None
        if op.kind == "admin":
            client.cookies.clear()
            if role != "anonymous":
                client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
            response = getattr(client, method)(url, data or {})
            return admin_answer(response)
        headers = {}
        if role != "anonymous":
            headers["Authorization"] = f"Bearer {world['tokens'][role]}"
        if method == "upload":
            response = client.post(url, data, headers=headers)
        elif method in ("post", "patch"):
            response = getattr(client, method)(
                url, data or {}, content_type="application/json", headers=headers
            )
        else:
            response = getattr(client, method)(url, headers=headers)
        return str(response.status_code)

    return run


def admin_answer(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("wagtailadmin_login")):
            return "login"
        if location == reverse("wagtailadmin_home"):
            return "refused"
    return str(response.status_code)


# --- the operations -----------------------------------------------------------------------------


def admin(fn):
    fn.kind = "admin"
    return fn


def api(fn):
    fn.kind = "api"
    return fn


API = "/api/v1"


def _lr_payload(title):
    from workflow.demo import lr_data

    data = lr_data(title)
    data["kind"] = str(data["kind"])
    return data


def _pdf():
    from workflow.demo import pdf_upload

    return pdf_upload("extra", "extra.pdf")


def _af3_csv(slug):
    from snapshots import samples

    division_name, district_name, clcs = AF3_UNITS[slug]
    rows = samples.af3_rows(
        2,
        region="CAR",
        division=division_name,
        district=district_name,
        year=2026,
        clcs=clcs,
        lrn_start=300000000000,
    )
    return SimpleUploadedFile("af3.csv", samples.to_csv("AF3", rows))


# API operations, keyed by (METHOD, path as in the OpenAPI document).
API_OPS = {
    ("POST", "/api/v1/auth/token"): api(
        lambda u, w: ("post", f"{API}/auth/token", {"username": "nobody", "password": "wrong"})
    ),
    ("DELETE", "/api/v1/auth/token"): api(lambda u, w: ("delete", f"{API}/auth/token")),
    ("GET", "/api/v1/submissions"): api(lambda u, w: ("get", f"{API}/submissions")),
    ("POST", "/api/v1/submissions"): api(
        lambda u, w: ("post", f"{API}/submissions", _lr_payload("New draft"))
    ),
    ("GET", "/api/v1/submissions/{submission_id}"): api(
        lambda u, w: ("get", f"{API}/submissions/{u['received'].pk}")
    ),
    ("PATCH", "/api/v1/submissions/{submission_id}"): api(
        lambda u, w: ("patch", f"{API}/submissions/{u['draft'].pk}", _lr_payload("Renamed"))
    ),
    ("POST", "/api/v1/submissions/{submission_id}/files"): api(
        lambda u, w: (
            "upload",
            f"{API}/submissions/{u['draft'].pk}/files",
            {"role": "main", "file": _pdf()},
        )
    ),
    ("GET", "/api/v1/submissions/{submission_id}/files/{file_id}/download"): api(
        lambda u, w: (
            "get",
            f"{API}/submissions/{u['received'].pk}/files/{u['file'].pk}/download",
        )
    ),
    ("POST", "/api/v1/submissions/{submission_id}/transitions/{name}"): api(
        lambda u, w: (
            "post",
            f"{API}/submissions/{u['received'].pk}/transitions/claim_division_review",
            {},
        )
    ),
    ("POST", "/api/v1/uploads"): api(
        lambda u, w: (
            "post",
            f"{API}/uploads",
            {"submission": u["draft"].pk, "name": "big.pdf", "size": 6_000_000, "role": "main"},
        )
    ),
    ("GET", "/api/v1/uploads/{upload_id}"): api(
        lambda u, w: ("get", f"{API}/uploads/{u['upload'].uuid}")
    ),
    ("POST", "/api/v1/uploads/{upload_id}/parts"): api(
        lambda u, w: ("post", f"{API}/uploads/{u['upload'].uuid}/parts", {"part_numbers": [1, 2]})
    ),
    ("GET", "/api/v1/uploads/{upload_id}/parts"): api(
        lambda u, w: ("get", f"{API}/uploads/{u['upload'].uuid}/parts")
    ),
    ("POST", "/api/v1/uploads/{upload_id}/complete"): api(
        # No part was sent: the storage refuses to join them (400), the upload stays open.
        lambda u, w: (
            "post",
            f"{API}/uploads/{u['upload'].uuid}/complete",
            {"parts": [{"part_number": 1, "etag": "0123"}]},
        )
    ),
    ("DELETE", "/api/v1/uploads/{upload_id}"): api(
        lambda u, w: ("delete", f"{API}/uploads/{u['upload_to_cancel'].uuid}")
    ),
    ("POST", "/api/v1/snapshots"): api(
        lambda u, w: (
            "upload",
            f"{API}/snapshots",
            {
                "form": "AF3",
                "unit": u["division"].slug,
                "period": "2026",
                "file": _af3_csv(u["division"].slug),
            },
        )
    ),
    ("GET", "/api/v1/snapshots"): api(lambda u, w: ("get", f"{API}/snapshots")),
    ("GET", "/api/v1/snapshots/jobs/{job_id}"): api(
        lambda u, w: ("get", f"{API}/snapshots/jobs/{u['job'].pk}")
    ),
    ("POST", "/api/v1/snapshots/jobs/{job_id}/run-again"): api(
        lambda u, w: ("post", f"{API}/snapshots/jobs/{u['job'].pk}/run-again", {})
    ),
    ("GET", "/api/v1/snapshots/{snapshot_id}"): api(
        lambda u, w: ("get", f"{API}/snapshots/{u['snapshot'].pk}")
    ),
    ("GET", "/api/v1/snapshots/{snapshot_id}/export"): api(
        lambda u, w: ("get", f"{API}/snapshots/{u['snapshot'].pk}/export")
    ),
    ("POST", "/api/v1/snapshots/{snapshot_id}/review"): api(
        lambda u, w: (
            "post",
            f"{API}/snapshots/{u['snapshot'].pk}/review",
            {"action": "submit", "comments": ""},
        )
    ),
    ("GET", "/api/v1/credentials/achievements"): api(
        lambda u, w: ("get", f"{API}/credentials/achievements")
    ),
    ("GET", "/api/v1/credentials/batches"): api(lambda u, w: ("get", f"{API}/credentials/batches")),
    ("POST", "/api/v1/credentials/batches"): api(
        lambda u, w: (
            "upload",
            f"{API}/credentials/batches",
            {
                "division": u["division"].slug,
                "achievements": [w["achievement"].slug],
                "ceremony_date": "2025-12-19",
                "venue": "Recognition day",
                "file": _awardees_csv(u),
            },
        )
    ),
    ("GET", "/api/v1/credentials/batches/{batch_id}"): api(
        lambda u, w: ("get", f"{API}/credentials/batches/{u['batch_draft'].pk}")
    ),
    ("POST", "/api/v1/credentials/batches/{batch_id}/approve"): api(
        lambda u, w: ("post", f"{API}/credentials/batches/{u['batch_draft'].pk}/approve", {})
    ),
    ("POST", "/api/v1/credentials/batches/{batch_id}/issue"): api(
        lambda u, w: ("post", f"{API}/credentials/batches/{u['batch_approved'].pk}/issue", {})
    ),
    ("POST", "/api/v1/credentials/batches/{batch_id}/cancel"): api(
        lambda u, w: ("post", f"{API}/credentials/batches/{u['batch_draft'].pk}/cancel", {})
    ),
    ("GET", "/api/v1/credentials/batches/{batch_id}/pdf"): api(
        lambda u, w: ("get", f"{API}/credentials/batches/{u['batch_issued'].pk}/pdf")
    ),
    ("GET", "/api/v1/credentials/awards/{award_id}"): api(
        lambda u, w: ("get", f"{API}/credentials/awards/{u['award'].pk}")
    ),
    ("POST", "/api/v1/credentials/awards/{award_id}/revoke"): api(
        lambda u, w: (
            "post",
            f"{API}/credentials/awards/{u['award'].pk}/revoke",
            {"reason": "Assessed twice"},
        )
    ),
}

ADMIN_OPS = {
    "submission list": admin(lambda u, w: ("get", reverse("submissions:index"))),
    "submission add": admin(lambda u, w: ("get", reverse("submissions:add"))),
    "submission inspect": admin(
        lambda u, w: ("get", reverse("submissions:inspect", args=[u["received"].pk]))
    ),
    "submission edit (draft)": admin(
        lambda u, w: ("get", reverse("submissions:edit", args=[u["draft"].pk]))
    ),
    "submission upload page (draft)": admin(
        lambda u, w: ("get", reverse("uploads_page", args=[u["draft"].pk]))
    ),
    "submission upload page (received)": admin(
        lambda u, w: ("get", reverse("uploads_page", args=[u["received"].pk]))
    ),
    "submission usage (draft)": admin(
        lambda u, w: ("get", reverse("submissions:usage", args=[u["draft"].pk]))
    ),
    "submission usage": admin(
        lambda u, w: ("get", reverse("submissions:usage", args=[u["received"].pk]))
    ),
    "submission history": admin(
        lambda u, w: ("get", reverse("submissions:history", args=[u["received"].pk]))
    ),
    "submission delete": admin(
        lambda u, w: ("post", reverse("submissions:delete", args=[u["received"].pk]))
    ),
    "submission action": admin(
        lambda u, w: (
            "post",
            reverse("submissions:transition", args=[u["received"].pk, "claim_division_review"]),
            {"version": u["received"].journey.version},
        )
    ),
    "file download": admin(
        lambda u, w: (
            "get",
            reverse("submissions:download", args=[u["received"].pk, u["file"].pk]),
        )
    ),
    "receipt slip": admin(
        lambda u, w: ("get", reverse("submissions:receipt", args=[u["stamp"].pk]))
    ),
    "learner enrol": admin(lambda u, w: ("get", reverse("learners:enrol"))),
    "learner detail": admin(
        lambda u, w: ("get", reverse("learners:preview", args=[u["learner"].pk]))
    ),
    "snapshot list": admin(lambda u, w: ("get", reverse("snapshots:index"))),
    "snapshot upload": admin(lambda u, w: ("get", reverse("snapshots:upload"))),
    "snapshot detail": admin(
        lambda u, w: ("get", reverse("snapshots:detail", args=[u["snapshot"].pk]))
    ),
    "snapshot export": admin(
        lambda u, w: ("get", reverse("snapshots:export", args=[u["snapshot"].pk]))
    ),
    "import job": admin(lambda u, w: ("get", reverse("snapshots:job", args=[u["job"].pk]))),
    "statistics dashboard": admin(lambda u, w: ("get", reverse("stats_dashboard"))),
    "user list": admin(lambda u, w: ("get", reverse("wagtailusers_users:index"))),
    "user add": admin(lambda u, w: ("get", reverse("wagtailusers_users:add"))),
    "user edit": admin(
        lambda u, w: ("get", reverse("wagtailusers_users:edit", args=[u["epsa"].pk]))
    ),
    "role assignment list": admin(lambda u, w: ("get", reverse("role_assignments:index"))),
    "role assignment edit": admin(
        lambda u, w: (
            "get",
            reverse("role_assignments:edit", args=[u["epsa"].role_assignments.get().pk]),
        )
    ),
    "division edit": admin(
        lambda u, w: ("get", reverse("divisions:edit", args=[u["division"].pk]))
    ),
    "CLC edit": admin(lambda u, w: ("get", reverse("clcs:edit", args=[u["clc"].pk]))),
    "CLC history": admin(lambda u, w: ("get", reverse("clcs:history", args=[u["clc"].pk]))),
    "micro-credential list": admin(lambda u, w: ("get", reverse("credentials:achievements"))),
    "micro-credential add": admin(lambda u, w: ("get", reverse("credentials:achievement_add"))),
    "assessment start": admin(lambda u, w: ("get", reverse("credentials:assessments"))),
    "assessment sheet": admin(
        lambda u, w: (
            "get",
            reverse("credentials:assess", args=[u["learner"].pk, w["achievement"].slug]),
        )
    ),
    "award batch list": admin(lambda u, w: ("get", reverse("credentials:batches"))),
    "award batch detail": admin(
        lambda u, w: ("get", reverse("credentials:batch", args=[u["batch_draft"].pk]))
    ),
    "award batch approve": admin(
        lambda u, w: (
            "post",
            reverse("credentials:batch", args=[u["batch_draft"].pk]),
            {"action": "approve"},
        )
    ),
    "award batch PDF": admin(
        lambda u, w: ("get", reverse("credentials:batch_pdf", args=[u["batch_issued"].pk]))
    ),
    "award list": admin(lambda u, w: ("get", reverse("credentials:awards"))),
    "award detail": admin(lambda u, w: ("get", reverse("credentials:award", args=[u["award"].pk]))),
    "award revoke": admin(
        lambda u, w: (
            "post",
            reverse("credentials:award", args=[u["award"].pk]),
            {"action": "revoke", "reason": "Assessed twice"},
        )
    ),
    "award PDF": admin(
        lambda u, w: ("get", reverse("credentials:award_pdf", args=[u["award"].pk]))
    ),
    "monitoring report of a division": admin(
        lambda u, w: ("get", f"{reverse('monitoring_dashboard')}?division={u['division'].slug}")
    ),
    "snapshot registry report": admin(
        lambda u, w: ("get", reverse("snapshots:registry", args=[u["snapshot"].pk]))
    ),
    "likely duplicate learners": admin(
        lambda u, w: ("get", f"{reverse('learners:duplicates')}?division={u['division'].slug}")
    ),
    "reader reports list": admin(lambda u, w: ("get", reverse("errata:reports"))),
}
# Operations that take no object of a unit: asked once ("own" only).
UNITLESS = {
    ("POST", "/api/v1/auth/token"),
    ("DELETE", "/api/v1/auth/token"),
    ("GET", "/api/v1/submissions"),
    ("POST", "/api/v1/submissions"),
    ("GET", "/api/v1/snapshots"),
    "submission list",
    "submission add",
    "learner enrol",
    "snapshot list",
    "snapshot upload",
    "statistics dashboard",
    "user list",
    "user add",
    "role assignment list",
    ("GET", "/api/v1/credentials/achievements"),
    ("GET", "/api/v1/credentials/batches"),
    "micro-credential list",
    "micro-credential add",
    "assessment start",
    "award batch list",
    "award list",
    "reader reports list",
}


def _op_name(key):
    return f"{key[0]} {key[1]}" if isinstance(key, tuple) else key


OPERATIONS = {**{_op_name(k): v for k, v in API_OPS.items()}, **ADMIN_OPS}
UNITLESS_NAMES = {_op_name(k) for k in UNITLESS}

# The documented table (docs/security.md). A cell is "own/other" (Benguet object / Abra object)
# or one answer for operations without a unit's object.
TABLE = """
| operation | anonymous | teacher | records_div | records_reg | epsa | focal | encoder | lrqa_div | lrqa_reg | als_reg | sysadmin | superuser |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
| `POST /api/v1/auth/token` | 401 | 401 | 401 | 401 | 401 | 401 | 401 | 401 | 401 | 401 | 401 | 401 |
| `DELETE /api/v1/auth/token` | 401 | 204 | 204 | 204 | 204 | 204 | 204 | 204 | 204 | 204 | 204 | 204 |
| `GET /api/v1/submissions` | 401 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `POST /api/v1/submissions` | 401 | 201 | 403 | 403 | 201 | 403 | 403 | 403 | 403 | 201 | 201 | 400 |
| `GET /api/v1/submissions/{submission_id}` | 401/401 | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `PATCH /api/v1/submissions/{submission_id}` | 401/401 | 200/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 200/200 |
| `POST /api/v1/submissions/{submission_id}/files` | 401/401 | 201/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 201/201 |
| `GET /api/v1/submissions/{submission_id}/files/{file_id}/download` | 401/401 | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `POST /api/v1/submissions/{submission_id}/transitions/{name}` | 401/401 | 403/404 | 403/404 | 403/403 | 403/404 | 403/404 | 403/404 | 200/404 | 403/403 | 403/403 | 403/403 | 200/200 |
| `POST /api/v1/uploads` | 401/401 | 201/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 201/201 |
| `GET /api/v1/uploads/{upload_id}` | 401/401 | 200/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 |
| `POST /api/v1/uploads/{upload_id}/parts` | 401/401 | 200/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 |
| `GET /api/v1/uploads/{upload_id}/parts` | 401/401 | 200/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 |
| `POST /api/v1/uploads/{upload_id}/complete` | 401/401 | 400/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 |
| `DELETE /api/v1/uploads/{upload_id}` | 401/401 | 204/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 |
| `POST /api/v1/snapshots` | 401/401 | 403/403 | 403/403 | 403/403 | 201/403 | 201/403 | 201/403 | 403/403 | 403/403 | 403/403 | 403/403 | 201/201 |
| `GET /api/v1/snapshots` | 401 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /api/v1/snapshots/jobs/{job_id}` | 401/401 | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `POST /api/v1/snapshots/jobs/{job_id}/run-again` | 401/401 | 409/404 | 403/404 | 403/403 | 409/404 | 409/404 | 409/404 | 403/404 | 403/403 | 403/403 | 403/403 | 409/409 |
| `GET /api/v1/snapshots/{snapshot_id}` | 401/401 | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `GET /api/v1/snapshots/{snapshot_id}/export` | 401/401 | 403/404 | 403/404 | 403/403 | 200/404 | 200/404 | 200/404 | 403/404 | 403/403 | 200/200 | 403/403 | 200/200 |
| `POST /api/v1/snapshots/{snapshot_id}/review` | 401/401 | 200/404 | 403/404 | 403/403 | 200/404 | 200/404 | 403/404 | 403/404 | 403/403 | 403/403 | 403/403 | 200/200 |
| `GET /api/v1/credentials/achievements` | 401 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `GET /api/v1/credentials/batches` | 401 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `POST /api/v1/credentials/batches` | 401/401 | 403/403 | 403/403 | 403/403 | 200/403 | 200/403 | 403/403 | 403/403 | 403/403 | 403/403 | 403/403 | 200/200 |
| `GET /api/v1/credentials/batches/{batch_id}` | 401/401 | 404/404 | 404/404 | 404/404 | 200/404 | 200/404 | 200/404 | 404/404 | 404/404 | 200/200 | 404/404 | 200/200 |
| `POST /api/v1/credentials/batches/{batch_id}/approve` | 401/401 | 404/404 | 404/404 | 404/404 | 200/404 | 403/404 | 403/404 | 404/404 | 404/404 | 403/403 | 404/404 | 200/200 |
| `POST /api/v1/credentials/batches/{batch_id}/issue` | 401/401 | 404/404 | 404/404 | 404/404 | 200/404 | 200/404 | 403/404 | 404/404 | 404/404 | 403/403 | 404/404 | 200/200 |
| `POST /api/v1/credentials/batches/{batch_id}/cancel` | 401/401 | 404/404 | 404/404 | 404/404 | 200/404 | 200/404 | 403/404 | 404/404 | 404/404 | 403/403 | 404/404 | 200/200 |
| `GET /api/v1/credentials/batches/{batch_id}/pdf` | 401/401 | 404/404 | 404/404 | 404/404 | 200/404 | 200/404 | 200/404 | 404/404 | 404/404 | 200/200 | 404/404 | 200/200 |
| `GET /api/v1/credentials/awards/{award_id}` | 401/401 | 404/404 | 404/404 | 404/404 | 200/404 | 200/404 | 200/404 | 404/404 | 404/404 | 200/200 | 404/404 | 200/200 |
| `POST /api/v1/credentials/awards/{award_id}/revoke` | 401/401 | 404/404 | 404/404 | 404/404 | 200/404 | 403/404 | 403/404 | 404/404 | 404/404 | 200/200 | 404/404 | 200/200 |
| `submission list` | login | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `submission add` | login | 200 | refused | refused | 200 | refused | refused | refused | refused | 200 | 200 | 200 |
| `submission inspect` | login/login | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `submission edit (draft)` | login/login | 200/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 200/200 |
| `submission upload page (draft)` | login/login | 200/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 200/200 |
| `submission upload page (received)` | login/login | refused/404 | refused/404 | refused/refused | refused/404 | refused/404 | refused/404 | refused/404 | refused/refused | refused/refused | refused/refused | refused/refused |
| `submission usage (draft)` | login/login | 200/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 404/404 | 200/200 |
| `submission usage` | login/login | 200/404 | refused/404 | refused/refused | 200/404 | refused/404 | refused/404 | refused/404 | refused/refused | 200/200 | 200/200 | 200/200 |
| `submission history` | login/login | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `submission delete` | login/login | refused/404 | refused/404 | refused/refused | refused/404 | refused/404 | refused/404 | refused/404 | refused/refused | refused/refused | refused/refused | refused/refused |
| `submission action` | login/login | 400/404 | 400/404 | 400/400 | 400/404 | 400/404 | 400/404 | 400/404 | 400/400 | 400/400 | 400/400 | 400/400 |
| `file download` | login/login | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `receipt slip` | login/login | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `learner enrol` | login | 200 | refused | refused | 200 | 200 | 200 | refused | refused | refused | refused | 200 |
| `learner detail` | login/login | 200/404 | refused/refused | refused/refused | 200/404 | 200/404 | 200/404 | refused/refused | refused/refused | refused/refused | refused/refused | 200/200 |
| `snapshot list` | login | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `snapshot upload` | login | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `snapshot detail` | login/login | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `snapshot export` | login/login | refused/404 | refused/404 | refused/refused | 200/404 | 200/404 | 200/404 | refused/404 | refused/refused | 200/200 | refused/refused | 200/200 |
| `import job` | login/login | 200/404 | 200/404 | 200/200 | 200/404 | 200/404 | 200/404 | 200/404 | 200/200 | 200/200 | 200/200 | 200/200 |
| `statistics dashboard` | login | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `user list` | login | refused | refused | refused | refused | refused | refused | refused | refused | refused | 200 | 200 |
| `user add` | login | refused | refused | refused | refused | refused | refused | refused | refused | refused | 200 | 200 |
| `user edit` | login/login | refused/refused | refused/refused | refused/refused | refused/refused | refused/refused | refused/refused | refused/refused | refused/refused | refused/refused | 200/200 | 200/200 |
| `role assignment list` | login | refused | refused | refused | refused | 200 | refused | refused | refused | refused | 200 | 200 |
| `role assignment edit` | login/login | 404/404 | refused/404 | refused/refused | refused/404 | refused/404 | refused/404 | refused/404 | refused/refused | refused/refused | 200/200 | 200/200 |
| `division edit` | login/login | refused/404 | refused/404 | refused/refused | refused/404 | refused/404 | refused/404 | refused/404 | refused/refused | refused/refused | 200/200 | 200/200 |
| `CLC edit` | login/login | refused/404 | refused/404 | refused/refused | 200/404 | 200/404 | refused/404 | refused/404 | refused/refused | refused/refused | 200/200 | 200/200 |
| `CLC history` | login/login | refused/404 | refused/404 | refused/refused | 200/404 | 200/404 | refused/404 | refused/404 | refused/refused | refused/refused | 200/200 | 200/200 |
| `micro-credential list` | login | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 | 200 |
| `micro-credential add` | login | refused | refused | refused | refused | refused | refused | refused | refused | 200 | 200 | 200 |
| `assessment start` | login | refused | refused | refused | 200 | 200 | refused | refused | refused | refused | refused | 200 |
| `assessment sheet` | login/login | refused/404 | refused/404 | refused/refused | 200/404 | 200/404 | refused/404 | refused/404 | refused/refused | refused/refused | refused/refused | 200/200 |
| `award batch list` | login | refused | refused | refused | 200 | 200 | 200 | refused | refused | 200 | refused | 200 |
| `award batch detail` | login/login | 404/404 | 404/404 | 404/404 | 200/404 | 200/404 | 200/404 | 404/404 | 404/404 | 200/200 | 404/404 | 200/200 |
| `award batch approve` | login/login | 404/404 | 404/404 | 404/404 | 302/404 | 302/404 | 302/404 | 404/404 | 404/404 | 302/302 | 404/404 | 302/302 |
| `award batch PDF` | login/login | 404/404 | 404/404 | 404/404 | 200/404 | 200/404 | 200/404 | 404/404 | 404/404 | 200/200 | 404/404 | 200/200 |
| `award list` | login | refused | refused | refused | 200 | 200 | 200 | refused | refused | 200 | refused | 200 |
| `award detail` | login/login | 404/404 | 404/404 | 404/404 | 200/404 | 200/404 | 200/404 | 404/404 | 404/404 | 200/200 | 404/404 | 200/200 |
| `award revoke` | login/login | 404/404 | 404/404 | 404/404 | 302/404 | refused/404 | refused/404 | 404/404 | 404/404 | 302/302 | 404/404 | 302/302 |
| `award PDF` | login/login | 404/404 | 404/404 | 404/404 | 200/404 | 200/404 | 200/404 | 404/404 | 404/404 | 200/200 | 404/404 | 200/200 |
| `monitoring report of a division` | login/login | 403/403 | 403/403 | 403/403 | 200/404 | 200/404 | 403/403 | 403/403 | 403/403 | 200/200 | 200/200 | 200/200 |
| `snapshot registry report` | login/login | 403/404 | 403/404 | 403/403 | 200/404 | 200/404 | 200/404 | 403/404 | 403/403 | 200/200 | 403/403 | 200/200 |
| `likely duplicate learners` | login/login | refused/refused | refused/refused | refused/refused | refused/refused | 200/404 | refused/refused | refused/refused | refused/refused | refused/refused | 200/200 | 200/200 |
| `reader reports list` | login | refused | refused | refused | refused | refused | refused | refused | 200 | refused | refused | 200 |
"""


def parse_table(text):
    rows = {}
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not cells or cells[0] in ("operation", "") or set(cells[0]) <= {"-"}:
            continue
        name, answers = cells[0].strip("`"), cells[1:]
        assert len(answers) == len(ROLES), f"{name}: {len(answers)} cells"
        rows[name] = dict(zip(ROLES, answers, strict=True))
    return rows


EXPECTED = parse_table(TABLE)
CASES = [(role, name) for name in OPERATIONS for role in ROLES]


def test_every_api_operation_has_a_row(db):
    from api.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    operations = {
        (method.upper(), re.sub(r"\{int:", "{", path))
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert operations == set(API_OPS), "add the new operation to API_OPS and TABLE"
    assert set(EXPECTED) == set(OPERATIONS), "every operation has one row in TABLE"


@pytest.mark.parametrize(("role", "name"), CASES, ids=[f"{n}-{r}" for r, n in CASES])
def test_role_table(call, role, name):
    op = OPERATIONS[name]
    if name in UNITLESS_NAMES:
        got = call(role, op, "own")
    else:
        got = f"{call(role, op, 'own')}/{call(role, op, 'other')}"
    assert got == EXPECTED[name][role]
