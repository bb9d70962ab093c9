"""The ALS MIS REST API (`/api/v1/`): one NinjaAPI that every app mounts its router on.

Another app adds its endpoints with one line below, e.g. `api.add_router("/snapshots", router)`;
its operations then require a bearer token (BearerAuth is the default) and share the error shapes
of api/errors.py.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from ninja import NinjaAPI, Router, Schema, Status
from ninja.throttling import AnonRateThrottle

from snapshots.api import router as snapshots_router
from workflow.api import router as submissions_router
from workflow.services import WorkflowError

from .auth import BearerAuth
from .errors import error_response, install_domain_error_handler, install_error_handlers
from .services import expires_at as token_expiry
from .services import issue_token, revoke_token

api = NinjaAPI(
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


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class LoginThrottle(AnonRateThrottle):
    """Password guessing through the token endpoint is slowed per client address."""

    scope = "api_login"

    def __init__(self):
        super().__init__(settings.API_LOGIN_RATE)


auth_router = Router(tags=["auth"])


@auth_router.post(
    "/token",
    auth=None,
    throttle=[LoginThrottle()],
    response={200: TokenOut, 400: ValidationErrorOut, 401: ErrorOut},
    summary="Exchange a username and password for a bearer token",
)
def obtain_token(request, credentials: Credentials):
    """Returns a new token; it expires after `API_TOKEN_TTL_HOURS`. Only its digest is stored."""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None or not user.is_active:
        return error_response(api, request, 401, "Unknown username or wrong password.")
    raw, token = issue_token(user)
    return {"token": raw, "expires_at": token_expiry(token).isoformat()}


@auth_router.delete(
    "/token", response={204: None, 401: ErrorOut}, summary="Revoke the token sent with this request"
)
def revoke_current_token(request):
    revoke_token(request.auth)
    return Status(204, None)


api.add_router("/auth", auth_router)
api.add_router("/submissions", submissions_router)
api.add_router("/snapshots", snapshots_router)
