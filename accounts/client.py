"""The client's address, read one way everywhere: lockout, rate limits and anything else.

Behind N trusted reverse proxies (setting TRUSTED_PROXY_COUNT), each proxy appends the address
it received the request from to X-Forwarded-For, so the client is the N-th entry from the right
and everything to its left was written by the client itself (and may be forged). With no
trusted proxy (the default) the header is ignored and REMOTE_ADDR is the client.
"""

import ipaddress

from django.conf import settings


def _valid(address):
    """`address` normalised if it is an IP address (an IPv6 one may come in brackets), else None."""
    address = (address or "").strip()
    if address.startswith("[") and address.endswith("]"):
        address = address[1:-1]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request):
    """The address of the client that sent `request`, trusting TRUSTED_PROXY_COUNT proxies."""
    remote = _valid(request.META.get("REMOTE_ADDR")) or "0.0.0.0"
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the left-most one was still written by a trusted proxy.
    return _valid(forwarded[-min(proxies, len(forwarded))]) or remote
