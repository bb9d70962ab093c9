# ruff: noqa: F811 (the fixtures imported from other folders' conftest are parameters here)
"""Faults: the file storage or the database down, and back.

Storage down is an S3 endpoint on a closed port (deterministic and fast: the client's connect
timeout and retries are small, alsmis/settings/base.py). The database is lost by terminating the
backend of the connection the request uses, from a second connection.
"""

import contextlib
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.test.utils import override_settings

from alsmis.settings.base import DATABASES as PRODUCTION_DATABASES
from alsmis.settings.base import s3_storage_options
from cms.publication import publish_submission
from guard.storage_errors import StorageUnavailable, is_storage_outage, storage_guard
from repository.models import Submission, SubmissionFile
from tests.api.conftest import api_as  # noqa: F401 (fixture)
from tests.api.factories import pdf_upload
from tests.public.conftest import make_submission  # noqa: F401 (fixture)
from tests.snapshots.conftest import af3_rows, period  # noqa: F401 (fixtures)
from tests.staffui.conftest import form_data
from workflow import services
from workflow.models import Journey, State, TransitionRecord

STORAGE_DOWN_MESSAGE = "The file storage is unavailable"


@contextlib.contextmanager
def storage_down():
    """The default storage pointed at a port where nothing listens."""
    dead = s3_storage_options("alsmis-test", "http://127.0.0.1:9", "k", "s")
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": dead},
        }
    ):
        yield


def object_count(s3_storage):
    listing = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"])
    return listing.get("KeyCount", 0)


@pytest.fixture
def draft(user_named):
    from repository.vocabularies import seed_vocabularies
    from tests.api.factories import LR_PAYLOAD

    seed_vocabularies()  # idempotent; a transactional test elsewhere may have emptied the tables
    teacher = user_named("teacher.benguet")

    submission = services.create_submission(teacher, dict(LR_PAYLOAD))
    return teacher, submission


# --------------------------------------------------------------------------------------------
# Storage down: uploads
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_upload_with_storage_down_is_503_json_and_keeps_no_row(api_as, draft, s3_storage):
    teacher, submission = draft
    api = api_as("teacher.benguet")
    first = api.upload(
        f"/api/v1/submissions/{submission.pk}/files", {"role": "main", "file": pdf_upload()}
    )
    assert first.status_code == 201
    before = object_count(s3_storage)

    with storage_down():
        response = api.upload(
            f"/api/v1/submissions/{submission.pk}/files",
            {"role": "main", "file": pdf_upload("second.pdf")},
        )

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert STORAGE_DOWN_MESSAGE in response.json()["detail"]
    # No row for the failed version, and the first version is still the current one.
    files = SubmissionFile.objects.filter(submission=submission)
    assert list(files.values_list("version", "is_current")) == [(1, True)]
    assert object_count(s3_storage) == before
    # Storage back: the same upload works.
    again = api.upload(
        f"/api/v1/submissions/{submission.pk}/files",
        {"role": "main", "file": pdf_upload("second.pdf")},
    )
    assert again.status_code == 201


@pytest.mark.django_db
def test_admin_edit_upload_with_storage_down_shows_the_message_and_saves_nothing(client, draft):
    teacher, submission = draft
    client.force_login(teacher)
    with storage_down():
        response = client.post(
            f"/admin/submissions/edit/{submission.pk}/",
            {**form_data(title="Renamed"), "main_file": pdf_upload()},
        )
    assert response.status_code == 503
    assert STORAGE_DOWN_MESSAGE in response.content.decode()
    submission.refresh_from_db()
    assert submission.title != "Renamed"
    assert not submission.files.exists()


@pytest.mark.django_db
def test_admin_create_with_files_and_storage_down_creates_no_submission(client, user_named):
    client.force_login(user_named("teacher.benguet"))
    with storage_down():
        response = client.post(
            "/admin/submissions/new/", {**form_data(), "main_file": pdf_upload()}
        )
    assert response.status_code == 503
    assert STORAGE_DOWN_MESSAGE in response.content.decode()
    assert not Submission.objects.exists()
    assert not SubmissionFile.objects.exists()


# --------------------------------------------------------------------------------------------
# Storage down: downloads
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_downloads_with_storage_down_are_503_not_500(api_as, client, draft):
    teacher, submission = draft
    record = services.upload_file(teacher, submission, pdf_upload(), "main")
    api = api_as("teacher.benguet")
    url = f"/api/v1/submissions/{submission.pk}/files/{record.pk}/download"
    assert api.get(url).status_code == 200

    with storage_down():
        from_api = api.get(url)
        client.force_login(teacher)
        from_admin = client.get(f"/admin/submissions/file/{submission.pk}/{record.pk}/")

    assert from_api.status_code == 503
    assert STORAGE_DOWN_MESSAGE in from_api.json()["detail"]
    assert from_admin.status_code == 503
    assert STORAGE_DOWN_MESSAGE in from_admin.content.decode()


@pytest.mark.django_db
def test_public_download_and_preview_with_storage_down_are_503(make_submission, client):
    page = publish_submission(make_submission())
    public_file = page.public_files().get()
    with storage_down():
        download = client.get(public_file.get_absolute_url())
        preview = client.get(f"/resources/previews/{public_file.uuid}.png")
    assert download.status_code == 503
    assert STORAGE_DOWN_MESSAGE in download.content.decode()
    assert preview.status_code == 503
    # A download that failed is not counted.
    public_file.refresh_from_db()
    assert public_file.download_count == 0


# --------------------------------------------------------------------------------------------
# Storage down: snapshot uploads (AF1-AF5)
# --------------------------------------------------------------------------------------------


def _snapshot_upload_data(period, rows, name="af3.csv"):
    from snapshots import samples
    from tests.snapshots.conftest import upload

    return {
        "form": "AF3",
        "unit": "benguet/LTR",
        "file": upload(name, samples.to_csv("AF3", rows)),
        "period": period.code,
    }


@pytest.mark.django_db
def test_api_snapshot_upload_with_storage_down_is_503_json_and_keeps_no_row(
    api_as, period, af3_rows, s3_storage
):
    from snapshots.models import ImportJob, Snapshot

    api = api_as("teacher.benguet")
    before = object_count(s3_storage)
    with storage_down():
        response = api.upload("/api/v1/snapshots", _snapshot_upload_data(period, af3_rows(3)))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert STORAGE_DOWN_MESSAGE in response.json()["detail"]
    assert response["Retry-After"] == "60"
    assert not ImportJob.objects.exists() and not Snapshot.objects.exists()
    assert object_count(s3_storage) == before
    # Storage back: the same upload imports.
    again = api.upload("/api/v1/snapshots", _snapshot_upload_data(period, af3_rows(3)))
    assert again.status_code == 201, again.content


@pytest.mark.django_db
def test_admin_snapshot_upload_with_storage_down_shows_the_message_and_saves_nothing(
    client, user_named, period, af3_rows
):
    from snapshots.models import ImportJob, Snapshot

    client.force_login(user_named("teacher.benguet"))
    data = _snapshot_upload_data(period, af3_rows(3))
    data["period"] = period.pk  # the admin form takes the period's id
    with storage_down():
        response = client.post("/admin/snapshots/upload/", data)

    assert response.status_code == 503
    assert STORAGE_DOWN_MESSAGE in response.content.decode()
    assert not ImportJob.objects.exists() and not Snapshot.objects.exists()


@pytest.mark.django_db
def test_storage_lost_while_an_upload_is_read_back_is_503_and_keeps_no_job(
    api_as, period, af3_rows, monkeypatch
):
    """The object was written, then storage went down before the inline import read it."""
    from botocore.exceptions import EndpointConnectionError

    from snapshots import services as snapshot_services
    from snapshots.models import ImportJob, Snapshot

    def unreachable(*args, **kwargs):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    monkeypatch.setattr(snapshot_services.shutil, "copyfileobj", unreachable)
    response = api_as("teacher.benguet").upload(
        "/api/v1/snapshots", _snapshot_upload_data(period, af3_rows(3))
    )
    assert response.status_code == 503
    assert STORAGE_DOWN_MESSAGE in response.json()["detail"]
    assert not ImportJob.objects.exists() and not Snapshot.objects.exists()


@pytest.mark.django_db
def test_an_unguarded_storage_outage_in_the_api_is_503_not_500(api_as, draft, monkeypatch):
    """E.g. publishing reads a photo from storage: no view guards that call, the API's last
    handler still answers 503 for botocore's outage errors."""
    from botocore.exceptions import EndpointConnectionError

    import workflow.api

    def unreachable(*args, **kwargs):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    monkeypatch.setattr(workflow.api.services, "perform_transition", unreachable)
    teacher, submission = draft
    response = api_as("teacher.benguet").post(
        f"/api/v1/submissions/{submission.pk}/transitions/submit", {}
    )
    assert response.status_code == 503
    assert STORAGE_DOWN_MESSAGE in response.json()["detail"]


@pytest.mark.django_db
def test_the_openapi_document_declares_503_on_every_operation_that_touches_files(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    touching_files = [
        ("post", "/api/v1/snapshots"),
        ("post", "/api/v1/submissions/{submission_id}/files"),
        ("get", "/api/v1/submissions/{submission_id}/files/{file_id}/download"),
        ("post", "/api/v1/submissions/{submission_id}/transitions/{name}"),
    ]
    for method, path in touching_files:
        responses = paths[path][method]["responses"]
        assert "503" in responses, (method, path)
        schema = responses["503"]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith("/ErrorOut")


def test_outage_classification():
    from botocore.exceptions import ClientError, EndpointConnectionError

    assert is_storage_outage(EndpointConnectionError(endpoint_url="http://x"))
    assert is_storage_outage(
        ClientError({"ResponseMetadata": {"HTTPStatusCode": 503}, "Error": {}}, "PutObject")
    )
    assert not is_storage_outage(
        ClientError({"ResponseMetadata": {"HTTPStatusCode": 403}, "Error": {}}, "PutObject")
    )
    assert is_storage_outage(OSError(28, "No space left on device"))
    assert not is_storage_outage(FileNotFoundError("missing"))
    with pytest.raises(StorageUnavailable), storage_guard():
        raise OSError(30, "Read-only file system")
    with pytest.raises(ValueError), storage_guard():
        raise ValueError("not a storage problem")


# --------------------------------------------------------------------------------------------
# /healthz with each dependency down (storage down: tests/test_health_and_tasks.py)
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client):
    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection to server at 127.0.0.1, port 9 failed")

    with mock.patch.object(connection, "cursor", broken_cursor):
        response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "error"
    assert checks["storage"]["status"] == "ok"


# --------------------------------------------------------------------------------------------
# Database connection lost and back
# --------------------------------------------------------------------------------------------

# A lost connection is made by terminating a PostgreSQL backend (SQLite has no server to lose).
pytestmark_pg = pytest.mark.postgres


def terminate(pid):
    """Terminate a backend from a second connection, as a restart or a network cut would."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname=db["NAME"],
        password=db["PASSWORD"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def backend_pid():
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def wsgi_get(path, **headers):
    """A request through Django's real WSGI handler, with the request_started/finished signals
    that recycle connections (the test client switches them off)."""
    environ = RequestFactory().get(path, **headers).environ
    status = {}

    def start_response(line, response_headers, exc_info=None):
        status["code"] = int(line.split()[0])

    body = b"".join(WSGIHandler()(environ, start_response))
    return status["code"], body


@pytest.fixture
def persistent_connections(monkeypatch):
    """The production connection settings: kept for a minute, health-checked per request."""
    base = PRODUCTION_DATABASES["default"]
    assert base["CONN_HEALTH_CHECKS"] is True
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    yield
    connection.close()


@pytestmark_pg
@pytest.mark.django_db(transaction=True)
def test_next_request_succeeds_after_the_database_connection_was_lost(persistent_connections, demo):
    code, _ = wsgi_get("/healthz")
    assert code == 200
    pid = backend_pid()
    terminate(pid)

    code, body = wsgi_get("/healthz")
    assert code == 200, body
    assert backend_pid() != pid


@pytestmark_pg
@pytest.mark.django_db(transaction=True)
def test_connection_lost_mid_transition_leaves_nothing_half_written(
    persistent_connections, demo, user_named
):
    from repository.vocabularies import seed_vocabularies
    from tests.api.factories import LR_PAYLOAD

    seed_vocabularies()  # a transactional test starts from empty tables
    teacher = user_named("teacher.benguet")
    submission = services.create_submission(teacher, dict(LR_PAYLOAD))
    services.upload_file(teacher, submission, pdf_upload(), "main")
    services.upload_file(teacher, submission, pdf_upload("ip.pdf"), "ip_declaration")
    history_before = TransitionRecord.objects.filter(submission=submission).count()

    # The connection dies after the state change and the history row were written, before the
    # transaction commits (the log entry is the last write of a transition).
    real_log = services.log

    def log_then_die(*args, **kwargs):
        terminate(connection.connection.info.backend_pid)
        return real_log(*args, **kwargs)

    with mock.patch.object(services, "log", log_then_die), pytest.raises(Exception):  # noqa: B017
        services.perform_transition(teacher, submission, "submit")
    connection.close()

    journey = Journey.objects.get(submission=submission)
    assert journey.state == State.DRAFT
    assert TransitionRecord.objects.filter(submission=submission).count() == history_before

    # And the next attempt, on a new connection, goes through whole.
    submission = Submission.objects.get(pk=submission.pk)
    services.perform_transition(teacher, submission, "submit")
    journey.refresh_from_db()
    assert journey.state == State.SUBMITTED
    assert TransitionRecord.objects.filter(submission=submission).count() == history_before + 1
