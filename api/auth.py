"""Bearer-token authentication for every API router.

The NinjaAPI in api/api.py uses `BearerAuth` as its default, so a router mounted there with
`api.add_router(...)` is protected unless an operation says `auth=None`.
"""

from django.contrib.auth.models import AnonymousUser
from wagtail.api.v3.auth import BearerTokenAuth

from .services import is_expired


class BearerAuth(BearerTokenAuth):
    """`Authorization: Bearer <token>` against Wagtail's APIToken digests, plus expiry.

    On success `request.user` is the token's owner and `request.auth` the APIToken. A session
    cookie never authenticates an API request: Wagtail's class resets `request.user` first.
    """

    def authenticate(self, request, token):
        api_token = super().authenticate(request, token.strip())
        if api_token is None:
            return None
        if is_expired(api_token):
            request.user = AnonymousUser()
            return None
        return api_token
