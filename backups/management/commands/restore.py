from django.core.management.base import BaseCommand, CommandError

from backups import services


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an EMPTY database (DATABASE_URL) and an "
        "EMPTY file storage (AWS_STORAGE_BUCKET_NAME, or MEDIA_ROOT), then verify every object's "
        "SHA-256 and every table's row count against the manifest. Learner fields decrypt only "
        "with the same LEARNER_DATA_KEYS as when the backup was made."
    )
    # The target database is empty: nothing may query it before the restore.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="a directory written by `backup`")
        parser.add_argument("--database", default="default", help="database alias (default)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that has tables and objects with the same keys",
        )

    def handle(self, *args, directory, database, force, **options):
        try:
            report = services.restore(directory, using=database, force=force)
        except services.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {report.tables} tables ({report.rows} rows) and {report.objects} objects "
            f"({report.bytes} bytes) from {directory}."
        )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"The restore differs from the backup in {len(report.problems)} place(s)."
            )
        self.stdout.write(self.style.SUCCESS("Row counts and object checksums match the backup."))
