from snapshots.demo import seed_snapshots
from snapshots.models import ReportingPeriod, Snapshot
from stats.public import public_statistics


def test_demo_snapshots_are_accepted_idempotent_and_published(demo):
    seed_snapshots()
    seed_snapshots()
    assert ReportingPeriod.objects.filter(code="2024-2025-eosy").exists()
    accepted = Snapshot.objects.filter(form="AF3", level="division", state="accepted")
    assert accepted.count() == 3
    stats = public_statistics()
    assert stats.by_sex.grand_total.value == 46 + 31 + 12
    assert "Benguet" in stats.by_sex.row_labels
