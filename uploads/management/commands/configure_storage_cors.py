from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from uploads import s3


def cors_origins():
    """UPLOADS_CORS_ORIGINS, or the origin of ALSMIS_PUBLIC_URL when that is empty."""
    if settings.UPLOADS_CORS_ORIGINS:
        return list(settings.UPLOADS_CORS_ORIGINS)
    parts = urlsplit(settings.ALSMIS_PUBLIC_URL)
    return [f"{parts.scheme}://{parts.netloc}"]


class Command(BaseCommand):
    help = (
        "Set the bucket's CORS rules so that the site's pages may send upload parts straight to "
        "the object store (PUT, and read each part's ETag). Run once per bucket, after a deploy "
        "that changes the site's address."
    )

    def add_arguments(self, parser):
        parser.add_argument("--origin", action="append", help="an allowed origin (repeatable)")

    def handle(self, *args, **options):
        if not s3.available():
            raise CommandError("The default file storage is not S3: there is no bucket to set.")
        origins = options["origin"] or cors_origins()
        s3.put_cors(origins)
        self.stdout.write(f"Bucket {s3.bucket()} accepts uploads from: {', '.join(origins)}")
