"""The ALS MIS REST API (`/api/v1/`): one NinjaAPI that every app mounts its router on.

Another app adds its endpoints with one line below, e.g. `api.add_router("/snapshots", router)`;
its operations then require a bearer token (BearerAuth is the default) and share the error shapes
of api/errors.py.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from ninja import Field, Router, Schema, Status

from accounts.lockout import lockout_message, record_failure
from accounts.policy import second_factor_required
from accounts.services import has_second_factor, verify_second_factor
from accounts.throttle import SharedAddressRateThrottle
from credentials.api import router as credentials_router
from credentials.services import CredentialError
from guard.storage_errors import StorageUnavailable
from snapshots.api import router as snapshots_router
from uploads.api import router as uploads_router
from workflow.api import router as submissions_router
from workflow.services import WorkflowError

from .auth import BearerAuth
from .errors import (
    JsonOnlyNinjaAPI,
    error_response,
    install_domain_error_handler,
    install_error_handlers,
    storage_unavailable_response,
)
from .services import expires_at as token_expiry
from .services import issue_token, revoke_token

api = JsonOnlyNinjaAPI(
    title="ALS MIS API",
    version="1",
    description=(
        "Submissions (learning resources, research, success stories) and their QA workflow. "
        "Get a token from POST /api/v1/auth/token and send it as 'Authorization: Bearer <token>'."
    ),
    urls_namespace="api-v1",
    auth=BearerAuth(),
)
install_error_handlers(api)
install_domain_error_handler(api, WorkflowError)
install_domain_error_handler(api, CredentialError)
# Reliability (issue 12, faults): the file storage down is a 503 {"detail": ...}, not a 500.
api.add_exception_handler(
    StorageUnavailable, lambda request, exc: storage_unavailable_response(api, request, exc.message)
)


class Credentials(Schema):
    username: str
    password: str
    # the second factor, for accounts that sign in with one.
    otp: str | None = Field(
        None,
        max_length=32,
        description="Code from the authenticator app, or a recovery code (accounts with two-factor).",
    )


class TokenOut(Schema):
    token: str
    expires_at: str


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class LoginThrottle(SharedAddressRateThrottle):
    """Password guessing through the token endpoint is slowed per client address.

    Counted in the cache all web processes share; the address is accounts.client's.
    """

    scope = "api_login"

    def __init__(self):
        super().__init__(settings.API_LOGIN_RATE)


auth_router = Router(tags=["auth"])


@auth_router.post(
    "/token",
    auth=None,
    throttle=[LoginThrottle()],
    response={200: TokenOut, 400: ValidationErrorOut, 401: ErrorOut, 429: ErrorOut},
    summary="Exchange a username and password for a bearer token",
)
def obtain_token(request, credentials: Credentials):
    """Returns a new token; it expires after `API_TOKEN_TTL_HOURS`. Only its digest is stored.

    Accounts that sign in with a second factor also send `otp`. Too many failures for the
    account or from the client address answer 429 until the cool-off has passed.
    """
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None or not user.is_active:
        # Set by django-axes when the account or the client address is locked out.
        if getattr(request, "axes_locked_out", False):
            return error_response(api, request, 429, lockout_message())
        return error_response(api, request, 401, "Unknown username or wrong password.")
    if second_factor_required(user):
        if not has_second_factor(user):
            return error_response(
                api,
                request,
                401,
                "otp_not_set_up: this account must set up two-factor authentication in the "
                "admin (Account, Two-factor authentication) before it can use the API.",
            )
        if not credentials.otp:
            return error_response(
                api,
                request,
                401,
                "otp_required: this account signs in with a second factor; send the code "
                "from the authenticator app (or a recovery code) as 'otp'.",
            )
        if verify_second_factor(user, credentials.otp) is None:
            if record_failure(request, user.get_username()):
                return error_response(api, request, 429, lockout_message())
            return error_response(
                api, request, 401, "otp_invalid: the second-factor code is wrong or already used."
            )
    raw, token = issue_token(user)
    return {"token": raw, "expires_at": token_expiry(token).isoformat()}


@auth_router.delete(
    "/token",
    response={204: None, 400: ValidationErrorOut, 401: ErrorOut},
    summary="Revoke the token sent with this request",
)
def revoke_current_token(request):
    revoke_token(request.auth)
    return Status(204, None)


api.add_router("/auth", auth_router)
api.add_router("/submissions", submissions_router)
api.add_router("/snapshots", snapshots_router)
api.add_router("/uploads", uploads_router)
api.add_router("/credentials", credentials_router)
