"""Token authentication of the API and its OpenAPI document."""

from datetime import timedelta

import pytest
from django.conf import settings
from wagtail.models import APIToken

from api.services import issue_token


def obtain(client, username, password):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_token_from_username_and_password_opens_the_api(client, user_named):
    response = obtain(client, "teacher.benguet", settings.DEMO_PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["expires_at"]

    # Only a digest is stored: the plain token appears in no column of the row.
    row = APIToken.objects.get(user=user_named("teacher.benguet"))
    assert token not in {row.key_hash, row.prefix, row.name}
    assert row.key_hash == APIToken.hash_token(token)

    listing = client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200
    assert listing.json()["count"] == 0
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_wrong_password_is_401_and_issues_nothing(client, demo):
    response = obtain(client, "teacher.benguet", "not-the-password")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown username or wrong password."}
    assert not APIToken.objects.exists()


def test_token_request_with_missing_fields_is_400_with_field_messages(client, demo):
    response = client.post(
        "/api/v1/auth/token", {"username": "teacher.benguet"}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input."
    assert list(body["errors"]) == ["password"]


def test_missing_token_is_401(client, demo):
    response = client.get("/api/v1/submissions")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_is_401(client, demo):
    response = client.get("/api/v1/submissions", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or expired token."}


def test_session_cookie_does_not_authenticate_the_api(client, demo):
    client.login(username="epsa.benguet", password=settings.DEMO_PASSWORD)
    assert client.get("/api/v1/submissions").status_code == 401


def test_expired_token_is_401(client, user_named, settings):
    settings.API_TOKEN_TTL_HOURS = 1
    raw, token = issue_token(user_named("teacher.benguet"))
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/submissions", headers=headers).status_code == 200
    APIToken.objects.filter(pk=token.pk).update(created=token.created - timedelta(hours=2))
    response = client.get("/api/v1/submissions", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or expired token."}


def test_revoked_token_and_inactive_user_are_401(client, user_named):
    teacher = user_named("teacher.benguet")
    raw = obtain(client, "teacher.benguet", settings.DEMO_PASSWORD).json()["token"]
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert APIToken.objects.get(user=teacher).revoked_at is not None
    assert client.get("/api/v1/submissions", headers=headers).status_code == 401

    raw2, _token = issue_token(teacher)
    teacher.is_active = False
    teacher.save()
    response = client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {raw2}"})
    assert response.status_code == 401


def test_token_requests_are_throttled_per_client(client, demo, settings):
    from api.api import LoginThrottle

    throttle = LoginThrottle()
    limit = throttle.num_requests
    # The sign-in lockout (tests/security/test_lockout.py) would answer first; this is the rate.
    settings.AXES_FAILURE_LIMIT = limit + 10
    for _attempt in range(limit):
        assert obtain(client, "teacher.benguet", "wrong").status_code == 401
    response = obtain(client, "teacher.benguet", settings.DEMO_PASSWORD)
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many requests."}
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_openapi_document_is_served_and_describes_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "ALS MIS API"
    paths = document["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/submissions",
        "/api/v1/submissions/{submission_id}",
        "/api/v1/submissions/{submission_id}/files",
        "/api/v1/submissions/{submission_id}/files/{file_id}/download",
        "/api/v1/submissions/{submission_id}/transitions/{name}",
    ):
        assert path in paths, path
    assert "BearerAuth" in document["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"openapi.json" in docs.content
