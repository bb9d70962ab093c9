"""A learner's complete record for a data-subject access request (RA 10173)."""

import json

from django.core.management.base import BaseCommand, CommandError

from learners.models import LearnerAccessLog
from learners.services import find_by_lrn, learner_report, log_access


class Command(BaseCommand):
    help = (
        "Print everything stored about one learner (all fields decrypted, enrolments, aliases, "
        "merges, access log) for a data-subject access request. The request itself is logged."
    )

    def add_arguments(self, parser):
        parser.add_argument("lrn", help="the learner's LRN (or an alias LRN)")
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--requested-by", default="", help="who asked (recorded in the access log)"
        )

    def handle(self, *args, lrn, format, requested_by, **options):
        learner = find_by_lrn(lrn)
        if learner is None:
            raise CommandError(f"No learner with LRN {lrn}.")
        log_access(
            None,
            learner,
            LearnerAccessLog.Action.REPORT,
            ["all"],
            LearnerAccessLog.Channel.COMMAND,
            username=requested_by or "manage.py learner_report",
        )
        report = learner_report(learner)
        if format == "json":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False, default=str))
            return
        self.stdout.write(self.as_text(report))

    def as_text(self, report):
        lines = ["LEARNER RECORD (data-subject access request)", ""]
        for key, value in report["learner"].items():
            lines.append(f"{key}: {value if value not in (None, '') else '-'}")
        lines += ["", "LRN aliases: " + (", ".join(report["aliases"]) or "none"), "", "ENROLMENTS"]
        for e in report["enrolments"] or [{}]:
            lines.append("  " + ("; ".join(f"{k}: {v}" for k, v in e.items()) or "none"))
        lines += ["", "MERGES"]
        for m in report["merges"] or [{}]:
            lines.append("  " + ("; ".join(f"{k}: {v}" for k, v in m.items()) or "none"))
        lines += ["", "ACCESS LOG"]
        for a in report["access_log"]:
            lines.append(
                f"  {a['at']} {a['user'] or '-'} {a['action']} via {a['channel']}: "
                + ", ".join(a["fields"])
            )
        return "\n".join(lines)
