"""The public counts of micro-credentials awarded, by division and achievement, with the same
small-cell suppression as every other public table (stats.suppression, one source)."""

from django.db.models import Count

from organisation.models import Division
from stats.public import threshold
from stats.suppression import suppress

from .models import Achievement, Award, AwardState


def awarded_counts():
    """A suppressed table (stats.suppression.SuppressedTable) of awards that stand (valid or
    expired; a re-issue counts once, a revoked award not at all): divisions by achievement.
    None when nothing has been awarded."""
    counted = (
        Award.objects.filter(state=AwardState.VALID)
        .values("batch__division_id", "achievement_id")
        .annotate(total=Count("pk"))
    )
    cells = {(row["batch__division_id"], row["achievement_id"]): row["total"] for row in counted}
    if not cells:
        return None
    division_ids = {division for division, _achievement in cells}
    achievement_ids = {achievement for _division, achievement in cells}
    divisions = list(Division.objects.filter(pk__in=division_ids).order_by("name"))
    achievements = list(Achievement.objects.filter(pk__in=achievement_ids).order_by("name"))
    matrix = [
        [cells.get((division.pk, achievement.pk), 0) for achievement in achievements]
        for division in divisions
    ]
    return suppress(
        matrix,
        [division.name for division in divisions],
        [achievement.name for achievement in achievements],
        threshold(),
    )
