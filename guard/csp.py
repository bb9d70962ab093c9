"""Content-Security-Policy by path, and the Permissions-Policy header.

The public site and everything else get `CONTENT_SECURITY_POLICY` (strict: no inline script or
style, nothing from other origins). The Wagtail admin under `ALSMIS_ADMIN_CSP_PREFIXES` gets
`ALSMIS_ADMIN_CSP_DIRECTIVES`: Wagtail 8's admin writes `style=""` attributes and the files it
shows come from the object store, so it needs a little more; it still runs no inline script.

No nonces: public pages are cached whole by the HTTP cache in front (cms/http_cache.py) and
served to every visitor, so a nonce would be shared by all of them and protect nothing.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


def storage_origin():
    """The origin of the object store that signed file URLs point at, or None (local files)."""
    options = settings.STORAGES.get("default", {}).get("OPTIONS", {})
    endpoint = options.get("endpoint_url")
    if endpoint:
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    if options.get("bucket_name"):
        return "https://*.amazonaws.com"
    return None


def admin_directives():
    """The admin's policy: the configured directives, with the object store allowed for images
    and for the parts of uploads sent to it."""
    directives = {key: list(value) for key, value in settings.ALSMIS_ADMIN_CSP_DIRECTIVES.items()}
    origin = storage_origin()
    if origin:
        # connect-src: resumable uploads send their parts straight to the object store (uploads/).
        for directive in ("img-src", "media-src", "connect-src"):
            directives.setdefault(directive, ["'self'"]).append(origin)
    return directives


class PathPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the admin's policy under the admin prefixes.

    A view's own `@csp_replace`/`@csp_update` decorators still apply on top of either policy.
    Also sets `Permissions-Policy` from `ALSMIS_PERMISSIONS_POLICY` on every response.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and self._is_admin(request):
            parts.config = admin_directives()
        return parts

    @staticmethod
    def _is_admin(request):
        return request.path_info.startswith(tuple(settings.ALSMIS_ADMIN_CSP_PREFIXES))

    def process_response(self, request, response):
        response = super().process_response(request, response)
        policy = permissions_policy()
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


def permissions_policy():
    """`ALSMIS_PERMISSIONS_POLICY` ({feature: [allowed origins]}) as the header's value."""
    items = []
    for feature, origins in settings.ALSMIS_PERMISSIONS_POLICY.items():
        items.append(f"{feature}=({' '.join(origins)})")
    return ", ".join(items)
