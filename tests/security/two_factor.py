"""Helpers for the two-factor tests: codes an authenticator app would show, enrolled users."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services


def code_from_secret(secret, steps_ahead=0, step=30, digits=6, drift=0):
    """The code an authenticator app shows for `secret` (bytes) now, or `steps_ahead` steps later.

    The server accepts the next step's code too (tolerance 1), and each step's code only once.
    """
    totp = TOTP(secret, step, 0, digits, drift)
    totp.time = time.time() + steps_ahead * step
    return f"{totp.token():0{digits}d}"


def code_for(device, steps_ahead=0):
    """The code `device`'s app shows now (or `steps_ahead` time steps later)."""
    return code_from_secret(device.bin_key, steps_ahead, device.step, device.digits, device.drift)


def enrol(user):
    """Give `user` a confirmed authenticator and recovery codes; returns (device, codes)."""
    device = services.pending_authenticator(user)
    codes = services.confirm_authenticator(user, device, code_for(device))
    assert codes is not None
    return TOTPDevice.objects.get(pk=device.pk), codes
