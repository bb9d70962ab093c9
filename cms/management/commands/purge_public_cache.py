"""Empty the HTTP cache in front of the public site (after a deploy: new templates and code)."""

from django.core.management.base import BaseCommand
from wagtail.contrib.frontend_cache.utils import get_backends

from cms.purge import purge


class Command(BaseCommand):
    help = (
        "Purge every public page from the HTTP cache in front (ALSMIS_FRONTEND_CACHE_URL). Run it "
        "after each deploy: cached pages were rendered by the previous code and templates."
    )

    def handle(self, *args, **options):
        backends = get_backends()
        if not backends:
            self.stdout.write(
                "No HTTP cache configured (ALSMIS_FRONTEND_CACHE_URL): nothing to do."
            )
            return
        failed = [
            name for name, done in purge(everything=True, backends=backends).items() if not done
        ]
        if failed:
            self.stderr.write(
                self.style.ERROR(f"Could not purge: {', '.join(failed)} (see the log).")
            )
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(f"Purged everything from {len(backends)} cache(s)."))
