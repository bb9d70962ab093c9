import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from cms.cache import prune_rendered_pages, store_enabled
from cms.models import ResourcePage
from cms.prerender import render_item_pages


class Command(BaseCommand):
    help = (
        "Render every published item page that the page store lacks, in every language, so "
        "visitors are served stored pages. Run it after a deploy (new templates change every "
        "page); publishing renders single pages by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            action="append",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Render only this interface language (repeatable; default: every language).",
        )
        parser.add_argument(
            "--shard",
            default="0/1",
            help="K/N: render only pages whose id modulo N is K, to run N of these in parallel.",
        )

    def handle(self, *args, **options):
        if not store_enabled():
            self.stdout.write("The page store is off (ALSMIS_PAGE_CACHE_SECONDS=0): nothing to do.")
            return
        try:
            shard, shards = (int(part) for part in options["shard"].split("/"))
            if not 0 <= shard < shards:
                raise ValueError
        except ValueError:
            raise CommandError("--shard takes K/N with 0 <= K < N, e.g. 0/2.") from None
        pages = ResourcePage.objects.annotate(shard=F("pk") % shards).filter(shard=shard)
        pruned = prune_rendered_pages() if shard == 0 else 0
        started = time.perf_counter()
        rendered = render_item_pages(
            pages,
            languages=options["language"],
            progress=lambda done, total: self.stdout.write(f"  {done:,} of {total:,} pages"),
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Rendered {rendered:,} item pages in {seconds:.1f} s "
                f"(pruned {pruned:,} stale entries)."
            )
        )
