"""Make a new current signing key for the issuer; the old one stays in the DID document."""

from django.core.management.base import BaseCommand

from credentials import keys
from credentials.models import IssuerKey


class Command(BaseCommand):
    help = (
        "Make a new Ed25519 signing key for the credentials' issuer (did:web). Earlier keys are "
        "kept, retired, and stay in /.well-known/did.json so what they signed still verifies."
    )

    def handle(self, *args, **options):
        before = IssuerKey.objects.filter(is_current=True).first()
        new = keys.rotate()
        if before is not None:
            self.stdout.write(f"Retired: {before.key_id}")
        self.stdout.write(self.style.SUCCESS(f"Current key: {new.key_id}"))
