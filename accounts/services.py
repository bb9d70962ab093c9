"""Sign-in security operations: second-factor enrolment and checks, recovery codes, lockouts.

Views, the API's token endpoint and tests call these; they hold the rules.
"""

import logging
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import segno
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


# --- second factor -----------------------------------------------------------------------------


def has_second_factor(user):
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user):
    """How many unused recovery codes the user has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_authenticator(user):
    """The authenticator being set up (unconfirmed), created with a fresh secret when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def manual_key(device):
    """The secret in base32 (what authenticator apps accept typed in), in groups of four."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_svg(device):
    """The provisioning URI of `device` as an inline SVG QR code (no external request, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def _clean(code):
    return "".join((code or "").split()).replace("-", "").lower()


def _is_totp_code(code):
    return len(code) in (6, 8) and code.isdigit()


@transaction.atomic
def confirm_authenticator(user, device, code):
    """Confirm the authenticator being set up with a code it shows; returns new recovery codes.

    Returns None when the code is wrong. A confirmed authenticator replaces any earlier one.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    code = _clean(code)
    if not _is_totp_code(code) or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    log(user, "accounts.second_factor_enrolled", user=user)
    return new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user):
    """Replace the user's recovery codes by RECOVERY_CODE_COUNT new ones, returned once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        token = StaticToken.random_token()
        device.token_set.create(token=token)
        codes.append(token)
    return codes


def verify_second_factor(user, code):
    """The device that accepts `code` (an authenticator code or an unused recovery code), or None.

    A recovery code is spent when it is accepted; an authenticator code is accepted once.
    """
    code = _clean(code)
    if not code or not user.is_authenticated:
        return None
    # Only the matching kind of device is asked, so a typo never throttles the other one.
    model = TOTPDevice if _is_totp_code(code) else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


@transaction.atomic
def remove_second_factor(user):
    """Delete the user's authenticator and recovery codes (the user turns two-factor off)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log(user, "accounts.second_factor_removed", user=user)


@transaction.atomic
def reset_second_factor(actor, user):
    """An administrator removes `user`'s second factor (lost phone); logged against the user.

    The user sets up a new one at their next sign-in if their role requires it.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log(user, "accounts.second_factor_reset", user=actor)
    logger.info("Second factor of user %s reset by user %s", user.pk, actor.pk)


# --- lockout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    """A locked account (`kind` "username") or client address (`kind` "address")."""

    kind: str
    value: str
    failures: int
    last_failure: datetime
    until: datetime


def current_lockouts():
    """Accounts and addresses locked out now (failures within the cool-off reach the limit)."""
    cooloff = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cooloff)
    lockouts = []
    for kind, field in (("username", "username"), ("address", "ip_address")):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")
        )
        lockouts.extend(
            Lockout(kind, row[field], row["failures"], row["last"], row["last"] + cooloff)
            for row in rows
        )
    return lockouts


def unlock(actor, *, username=None, address=None):
    """Clear the failures of an account or an address; returns how many records went."""
    if username:
        count = axes_reset(username=username)
        log(actor, "accounts.unlock", user=actor, data={"username": username})
    elif address:
        count = axes_reset(ip=address)
        log(actor, "accounts.unlock", user=actor, data={"address": address})
    else:
        return 0
    logger.info("Sign-in lockout cleared by user %s (%d records)", actor.pk, count)
    return count
