import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from snapshots import samples, services
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


def start_upload(user, period, content, *, name="af3.csv", form="AF3", unit="benguet/LTR"):
    """`services.start_import` of `content` uploaded as `name` for `unit` ("division/DISTRICT")."""
    division, district = services.resolve_unit(unit)
    return services.start_import(
        user,
        form=form,
        period=period,
        division=division,
        district=district,
        upload=upload(name, content),
        original_name=name,
    )


def import_af3(user, period, rows, *, unit="benguet/LTR", kind="csv", name=None):
    """Import AF3 `rows` as a .csv or .xlsx; the job."""
    content = samples.to_csv("AF3", rows) if kind == "csv" else samples.to_xlsx("AF3", rows)
    return start_upload(user, period, content, name=name or f"af3.{kind}", unit=unit)


def imported_af3(user, period, rows, unit="benguet/LTR"):
    """The snapshot of a valid AF3 import of `rows`."""
    job = import_af3(user, period, rows, unit=unit)
    assert job.snapshot_id, job.errors
    return job.snapshot
