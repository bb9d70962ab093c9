"""`manage.py issue_credentials`: an awardees list to issued micro-credentials in one go.

Reads the list (.csv or .xlsx, `credentials.roster`), previews it against the registry, and
refuses the whole file when any row is refused (printing each row's problem). Otherwise it
confirms the list (registering new learners), approves and issues the batch as the operator
(no role is checked: whoever runs commands on the server is trusted, as with the AF imports) and
prints the batch id and the codes; `--pdf` also writes the batch's certificates.
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from learners.models import LearnerAccessLog
from organisation.models import Division
from snapshots.readers import UnreadableFile

from ... import codes, roster, services
from ...models import Achievement


def _signatory(text):
    name, separator, position = text.partition("|")
    if not separator or not name.strip() or not position.strip():
        raise CommandError(f'--signatory needs "Name|Position", not "{text}".')
    return {"name": name.strip(), "position": position.strip()}


class Command(BaseCommand):
    help = (
        "Issue micro-credentials from an awardees list (LRN, Last Name, First Name, Middle Name, "
        "Name Extension, Sex, Birthdate, Narrative): preview, confirm, approve and issue in one "
        "go; refuses the whole file when any row is refused. Prints the batch id and the codes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The awardees list, .csv or .xlsx.")
        parser.add_argument(
            "--achievement",
            action="append",
            required=True,
            help="The micro-credential's slug (repeat for several).",
        )
        parser.add_argument("--division", required=True, help="The division's slug.")
        parser.add_argument("--date", required=True, help="The recognition day, YYYY-MM-DD.")
        parser.add_argument("--venue", default="", help="Where the recognition day is held.")
        parser.add_argument(
            "--signatory",
            action="append",
            default=[],
            help='"Name|Position", in print order (repeat for several).',
        )
        parser.add_argument(
            "--print-file-names",
            action="store_true",
            help="Where a name differs from the registry's, print the file's (default: the "
            "registry's).",
        )
        parser.add_argument(
            "--register-near-duplicates",
            action="store_true",
            help="Register new learners even when the registry has a near duplicate "
            "(default: refuse those rows).",
        )
        parser.add_argument("--pdf", help="Also write the batch's certificates to this PDF.")

    def handle(self, *args, **options):
        division = Division.objects.filter(slug=options["division"]).first()
        if division is None:
            raise CommandError(f"No division with the slug {options['division']!r}.")
        achievements = []
        for slug in options["achievement"]:
            achievement = Achievement.objects.filter(slug=slug).first()
            if achievement is None:
                raise CommandError(f"No micro-credential with the slug {slug!r}.")
            achievements.append(achievement)
        try:
            ceremony_date = datetime.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}.") from None
        signatories = [_signatory(text) for text in options["signatory"]]
        path = Path(options["file"])
        try:
            with path.open("rb") as fileobj:
                rows = roster.read_roster(fileobj, path.name)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except UnreadableFile as error:
            raise CommandError(f"{path.name}: {error}") from None

        previewed = roster.preview(rows, division, None)
        counts = roster.counts(previewed)
        self.stdout.write(
            ", ".join(f"{number} {roster.KIND_LABELS[kind]}" for kind, number in counts.items())
        )
        decisions = {}
        for row in previewed:
            if row.kind == roster.DIFFERING:
                decisions[row.number] = (
                    roster.PRINT_FILE if options["print_file_names"] else roster.KEEP_REGISTRY
                )
                self.stdout.write(
                    f"Row {row.number}: the registry has {row.registry_name!r}, the file "
                    f"{row.file_name!r}; printing {row.name_as_printed(decisions[row.number])!r}."
                )
            elif (
                row.kind == roster.NEW
                and row.near_duplicates
                and options["register_near_duplicates"]
            ):
                decisions[row.number] = roster.REGISTER_NEW
        problems = roster.check_decisions(previewed, decisions)
        if problems:
            for number, message in problems:
                self.stderr.write(f"Row {number}: {message}")
            raise CommandError(f"{len(problems)} row(s) of {path.name} refused; nothing was saved.")

        try:
            with transaction.atomic():
                batch = roster.confirm(
                    None,
                    division=division,
                    achievements=achievements,
                    ceremony_date=ceremony_date,
                    venue=options["venue"],
                    signatories=signatories,
                    rows=previewed,
                    decisions=decisions,
                    source_name=path.name,
                    channel=LearnerAccessLog.Channel.COMMAND,
                )
                services.approve_batch(None, batch)
                awards = services.issue_batch(None, batch)
        except roster.RosterRefused as error:
            for number, message in error.problems:
                self.stderr.write(f"Row {number}: {message}")
            raise CommandError(str(error.message)) from None
        except services.CredentialError as error:
            raise CommandError(f"{error.message} Nothing was saved.") from None

        self.stdout.write(f"Batch {batch.pk}: {len(awards)} micro-credential(s) issued.")
        for award in sorted(awards, key=lambda a: (a.name_as_printed, a.achievement.slug)):
            self.stdout.write(
                f"{codes.display(award.code)}\t{award.achievement.slug}\t{award.name_as_printed}"
            )
        if options["pdf"]:
            from ... import certificates

            Path(options["pdf"]).write_bytes(certificates.batch_pdf(batch))
            self.stdout.write(f"Certificates: {options['pdf']}")
