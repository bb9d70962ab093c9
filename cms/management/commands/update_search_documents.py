"""Recompute the public search's full-text vectors (`ResourcePage.search_document`)."""

from django.core.management.base import BaseCommand

from cms.models import ResourcePage
from cms.purge import collection_changed
from cms.search import update_search_documents, uses_search_document


class Command(BaseCommand):
    help = (
        "Recompute the full-text search vector of published resources (PostgreSQL): after a bulk "
        "load that bypassed publication, or to fill pages that lack one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only pages that have no vector yet (default: every resource page).",
        )

    def handle(self, *args, missing=False, **options):
        if not uses_search_document():
            self.stdout.write("Not on PostgreSQL: the public search uses Wagtail's index here.")
            return
        pages = ResourcePage.objects.filter(search_document__isnull=True) if missing else None
        count = update_search_documents(pages)
        if count:
            # Cached searches, and the matches each web process remembers, were found with the
            # old vectors.
            collection_changed()
        self.stdout.write(self.style.SUCCESS(f"Search vectors written for {count} pages."))
