"""The per-address limit on readers' reports, counted with the shared throttle."""

from django.conf import settings

from accounts.throttle import SharedAddressRateThrottle


class ReportThrottle(SharedAddressRateThrottle):
    """Reports sent per client address (ERRATA_REPORT_RATE), apart from other limits."""

    scope = "errata"

    def __init__(self):
        super().__init__(settings.ERRATA_REPORT_RATE)
