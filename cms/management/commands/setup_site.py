from django.core.management.base import BaseCommand

from cms.site_setup import ensure_site_structure


class Command(BaseCommand):
    help = "Create the public page tree (Home, Resources, CLMD) if it is missing. Safe to re-run."

    def handle(self, *args, **options):
        home = ensure_site_structure()
        self.stdout.write(f"Site root: {home.title} ({home.url_path})")
