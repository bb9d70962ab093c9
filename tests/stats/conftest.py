import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from snapshots import samples, services
from snapshots.models import ReportingPeriod

DIVISIONS = {
    "benguet": ("Benguet", "La Trinidad", [("Poblacion La Trinidad CLC", 3)]),
    "abra": ("Abra", "Bangued I", [("Zone 1 Barangay Hall CLC", 3)]),
    "ifugao": ("Ifugao", "Lagawe", [("Lagawe Poblacion CLC", 3)]),
}


@pytest.fixture
def period(db):
    return ReportingPeriod.objects.create(
        code="2026", cycle="calendar", start_year=2026, deadline=datetime.date(2026, 12, 15)
    )


@pytest.fixture
def publish(user_named):
    """publish(period, "benguet", [(sex, program), ...]): an accepted AF3 division snapshot."""

    def run(period, slug, people, *, accept=True, lrn_start=None):
        name, district, clcs = DIVISIONS[slug]
        rows = samples.af3_rows(
            len(people),
            region="CAR",
            division=name,
            district=district,
            year=period.start_year,
            clcs=clcs,
            lrn_start=lrn_start or (100000000000 + 10000 * list(DIVISIONS).index(slug)),
        )
        for row, (sex, program) in zip(rows, people, strict=True):
            row[11] = sex
            row[24] = program
        epsa = user_named(f"epsa.{slug}")
        division, _none = services.resolve_unit(slug)
        job = services.start_import(
            epsa,
            form="AF3",
            period=period,
            division=division,
            district=None,
            upload=SimpleUploadedFile("af3.csv", samples.to_csv("AF3", rows)),
        )
        assert job.snapshot_id, job.errors
        snapshot = job.snapshot
        services.transition(snapshot, "submit", epsa)
        if accept:
            services.transition(snapshot, "accept", user_named("als.region"))
        return snapshot

    return run
