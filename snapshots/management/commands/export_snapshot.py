from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learners.models import LearnerAccessLog
from snapshots import services
from snapshots.models import Snapshot


class Command(BaseCommand):
    help = (
        "Write a snapshot to .xlsx in the official layout: export_snapshot ID OUT.xlsx, or "
        "export_snapshot --form AF3 --unit benguet --period 2026 OUT.xlsx for the newest version."
    )

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="+", metavar="[ID] OUT")
        parser.add_argument("--form")
        parser.add_argument("--unit")
        parser.add_argument("--period")

    def handle(self, *args, **options):
        if len(args) == 2:
            snapshot = Snapshot.objects.filter(pk=args[0]).first() if args[0].isdigit() else None
            if snapshot is None:
                raise CommandError(f"No snapshot {args[0]}.")
        elif len(args) == 1 and options["form"] and options["unit"] and options["period"]:
            try:
                division, district = services.resolve_unit(options["unit"])
                period = services.resolve_period(options["period"])
            except services.SnapshotError as error:
                raise CommandError(str(error)) from None
            snapshot = (
                Snapshot.objects.filter(
                    form=options["form"].upper(),
                    period=period,
                    division=division,
                    district=district,
                )
                .order_by("-version")
                .first()
            )
            if snapshot is None:
                raise CommandError("No such snapshot.")
        else:
            raise CommandError("Give a snapshot ID and an output file, or --form/--unit/--period.")
        out = Path(args[-1])
        out.write_bytes(
            services.export_workbook(
                snapshot, None, LearnerAccessLog.Channel.COMMAND, username="export_snapshot"
            )
        )
        self.stdout.write(self.style.SUCCESS(f"{snapshot}: {snapshot.row_count} rows → {out}"))
