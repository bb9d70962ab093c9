from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from snapshots import services
from snapshots.models import ImportJob


class Command(BaseCommand):
    help = (
        "Validate and import an AF1–AF5 .xlsx or .csv file into a snapshot, e.g. "
        "import_snapshot --form AF3 --unit benguet --period 2026 af3.xlsx "
        "(--unit benguet/LTR for a district). A file with any error imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--form", required=True, help="AF1, AF2, AF3, AF4 or AF5")
        parser.add_argument("--unit", required=True, help="division slug, or slug/DISTRICT-CODE")
        parser.add_argument("--period", required=True, help="reporting period code, e.g. 2026")
        parser.add_argument("--user", help="import as this user (checks their role and scope)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']}.")
        try:
            division, district = services.resolve_unit(options["unit"])
            period = services.resolve_period(options["period"])
            with path.open("rb") as handle:
                job = services.start_import(
                    user,
                    form=options["form"].upper(),
                    period=period,
                    division=division,
                    district=district,
                    upload=handle,
                    original_name=path.name,
                    inline=True,
                )
        except (services.SnapshotError, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        job.refresh_from_db()
        if job.status != ImportJob.Status.SUCCEEDED:
            for error in (job.errors or [])[:50]:
                self.stderr.write(
                    f"row {error['row']}, {error['column']}: {error['message']} "
                    f"(value: {error['value']!r})"
                )
            raise CommandError(job.message or "Import failed.")
        self.stdout.write(self.style.SUCCESS(job.message))
