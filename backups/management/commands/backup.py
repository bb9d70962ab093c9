from django.core.management.base import BaseCommand, CommandError

from backups import services


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump -Fc, or SQLite's backup API) and every object of the file "
        "storage into DIR, with a manifest of checksums and row counts. LEARNER_DATA_KEYS and "
        "SECRET_KEY are NOT included: keep them apart, or learner fields cannot be read again."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="a new or empty directory")
        parser.add_argument("--database", default="default", help="database alias (default)")

    def handle(self, *args, directory, database, **options):
        try:
            manifest = services.backup(directory, using=database)
        except services.BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["database"]["tables"]
        objects = manifest["objects"]
        self.stdout.write(
            f"Backed up {len(tables)} tables ({sum(tables.values())} rows) and {len(objects)} "
            f"objects ({sum(o['size'] for o in objects)} bytes) into {directory}."
        )
        self.stdout.write(
            self.style.WARNING(
                "The backup does NOT contain LEARNER_DATA_KEYS or SECRET_KEY. Keep them apart "
                "and safe: without LEARNER_DATA_KEYS the learners' encrypted fields are lost."
            )
        )
