from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workflow.diagram import render


class Command(BaseCommand):
    help = "Write docs/workflow.md (Mermaid state diagram of the submission workflow)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "docs" / "workflow.md")
        )
        parser.add_argument(
            "--check", action="store_true", help="Fail if the file differs from the generated one."
        )

    def handle(self, *args, output, check, **options):
        content = render()
        path = Path(output)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                raise CommandError(f"{path} is out of date; run manage.py workflow_diagram")
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}"))
