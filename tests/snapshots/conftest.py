import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from snapshots import samples
from snapshots.models import ReportingPeriod

BENGUET_CLCS = [("Poblacion La Trinidad CLC", 3), ("Balili CLC", 2)]


@pytest.fixture
def period(db):
    return ReportingPeriod.objects.create(
        code="2026",
        cycle=ReportingPeriod.Cycle.CALENDAR_YEAR,
        start_year=2026,
        deadline=datetime.date(2026, 12, 15),
    )


@pytest.fixture
def af3_rows():
    """make(count, **kw): valid AF3 rows for Benguet / La Trinidad, 2026."""

    def make(count=10, *, district="La Trinidad", seed=1, lrn_start=100000000000):
        return samples.af3_rows(
            count,
            region="CAR",
            division="Benguet",
            district=district,
            year=2026,
            clcs=BENGUET_CLCS,
            seed=seed,
            lrn_start=lrn_start,
        )

    return make


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
