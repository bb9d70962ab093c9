"""Demo snapshots: two reporting periods and accepted AF3 division snapshots for a few divisions,
so that the statistics dashboard and the public CLMD section have something to show."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from organisation.models import Division

from . import samples, services
from .models import ReportingPeriod, Snapshot

# division slug, district name, CLCs, rows, (how many of them are A&E Elementary females)
DEMO_AF3 = [
    ("benguet", "La Trinidad", [("Poblacion La Trinidad CLC", 3), ("Balili CLC", 2)], 46),
    ("abra", "Bangued I", [("Zone 1 Barangay Hall CLC", 3)], 31),
    ("ifugao", "Lagawe", [("Lagawe Poblacion CLC", 3)], 12),
]


@transaction.atomic
def seed_snapshots():
    """Create the demo periods and accepted AF3 snapshots once; later runs change nothing."""
    User = get_user_model()
    ReportingPeriod.objects.get_or_create(
        code="2024-2025-eosy",
        defaults={
            "cycle": ReportingPeriod.Cycle.SCHOOL_YEAR,
            "start_year": 2024,
            "phase": ReportingPeriod.Phase.EOSY,
            "deadline": datetime.date(2025, 3, 31),
        },
    )
    year = datetime.date.today().year
    period, _created = ReportingPeriod.objects.get_or_create(
        code=str(year),
        defaults={
            "cycle": ReportingPeriod.Cycle.CALENDAR_YEAR,
            "start_year": year,
            "deadline": datetime.date(year, 12, 15),
        },
    )
    reviewer = User.objects.filter(username="als.region").first()
    for index, (slug, district, clcs, count) in enumerate(DEMO_AF3):
        division = Division.objects.filter(slug=slug).first()
        epsa = User.objects.filter(username=f"epsa.{slug}").first()
        if division is None or epsa is None or reviewer is None:
            continue
        if Snapshot.objects.filter(form="AF3", period=period, division=division).exists():
            continue
        rows = samples.af3_rows(
            count,
            region=division.region.code,
            division=division.name,
            district=district,
            year=year,
            clcs=clcs,
            seed=index + 7,
            lrn_start=136000000000 + 1000 * index,
        )
        # Keep attendance dates in the past whatever day the demo is loaded.
        for row in rows:
            row[14] = min(row[14], datetime.date.today().isoformat())
        job = services.start_import(
            epsa,
            form="AF3",
            period=period,
            division=division,
            district=None,
            upload=SimpleUploadedFile("demo-af3.csv", samples.to_csv("AF3", rows)),
            original_name="demo-af3.csv",
            inline=True,
        )
        if job.snapshot_id is None:
            continue
        services.transition(job.snapshot, "submit", epsa)
        services.transition(job.snapshot, "accept", reviewer, "Demo data.")
