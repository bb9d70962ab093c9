from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alsmis.demo import seed_organisation, seed_users
from cms.site_setup import ensure_site_structure


class Command(BaseCommand):
    help = (
        "Load the demo region, its units and users, learners, submissions (eight of them "
        "published), snapshots and credentials. Safe to re-run."
    )

    def handle(self, *args, **options):
        if settings.ALSMIS_ENVIRONMENT == "production":
            raise CommandError("seed_demo refuses to run with production settings.")
        ensure_site_structure()
        region = seed_organisation()
        logins = seed_users(region)
        from learners.demo import seed_learners

        seed_learners()
        from workflow.demo import seed_submissions

        seed_submissions()
        from cms.published_demo import seed_published_items

        seed_published_items()
        from snapshots.demo import seed_snapshots

        seed_snapshots()
        from credentials.demo import seed_credentials

        seed_credentials()
        from cms.public_demo import seed_public_sections

        seed_public_sections()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for username, what in logins:
            self.stdout.write(f"  {username:<26} {what}")
