"""Benchmark: the public site with 20,000 published items behind Varnish, loaded with wrk.

Loads N published resource pages (default 20,000) and the demo's accepted AF3 snapshots (the
CLMD page's statistics) into a PostgreSQL database of its own (BENCH_PUBLIC_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/alsmis_bench_public, recreated on every run), serves
the site as deployed: gunicorn (4 sync workers, as the README's production recipe; `--workers`)
with production settings behind Varnish with the repository's VCL (deploy/varnish/default.vcl),
purged by the application. Then, each at 32
concurrent connections with Debian's `wrk`, printing requests/s and p50/p95/p99 latency:

- through Varnish, pages it keeps: item pages (2,000 of them), Resources, 200 faceted searches,
  CLMD (each requested once before the run);
- through Varnish, searches it has never seen (every request a new search, so gunicorn renders
  each), at 32, 4 and 1 connections;
- gunicorn alone, every request rendered: the same item pages, Resources, searches and CLMD;
- nginx serving one item page's saved HTML as a static file, in the same run, for scale;
- publish to visible: an item published through the application (which purges Varnish as it
  commits) until Resources, served through Varnish, shows it.

The load average (other work on the machine) is printed with the figures.

    .venv/bin/python bench/public_pages.py [--items 20000] [--duration 10] [--workers 4] [--reuse]
"""

import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alsmis.varnish import Varnish, free_port  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/alsmis_bench_public"
# Varnish's counters of lookups: the share of hits says whether a row was served by the cache.
HIT_COUNTERS = ("MAIN.cache_hit", "MAIN.cache_miss")
CONNECTIONS = 32
NEW_SEARCH_CONNECTIONS = (32, 4, 1)
WORDS = [
    "fractions",
    "market",
    "budgeting",
    "weather",
    "typhoon",
    "reading",
    "literacy",
    "numeracy",
    "farming",
    "terraces",
    "rice",
    "health",
    "nutrition",
    "water",
    "safety",
    "citizenship",
    "digital",
    "mobile",
    "phone",
    "livelihood",
    "weaving",
    "coffee",
    "strawberry",
    "vegetables",
    "carpentry",
    "welding",
    "cooking",
    "baking",
    "tourism",
    "culture",
    "ifugao",
    "kankanaey",
    "ibaloi",
    "ilocano",
    "family",
    "community",
    "environment",
    "forest",
    "river",
    "mountain",
    "science",
    "energy",
]
KINDS = ["lr"] * 7 + ["research"] * 2 + ["story"]
# Filler vocabulary (about 2,000 made-up words), so that a topical word matches a few percent of
# the items, as real queries do, rather than half the collection.
FILLER = [
    a + b + c + d for a in "bkdglmnpst" for b in "aeiou" for c in "bkdglmnpst" for d in "aeiou"
]


def bench_env(url, media_root, public_url="http://127.0.0.1", purge_url=""):
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "alsmis.settings.production",
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-only-secret-key",
            "LEARNER_DATA_KEYS": "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZy0hISE=",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDIA_ROOT": str(media_root),
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALSMIS_PUBLIC_URL": public_url,
            "ALSMIS_FRONTEND_CACHE_URL": purge_url,
            "TRUSTED_PROXY_COUNT": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "DEBUG"):
        env.pop(name, None)
    return env


def recreate_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def loaded(url, items):
    """Whether the database at `url` already holds at least `items` published items."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            count = conn.execute("SELECT count(*) FROM cms_resourcepage").fetchone()[0]
    except psycopg.Error:
        return False
    return count >= items


def setup_django(url, media_root):
    os.environ.update(bench_env(url, media_root))
    import django

    django.setup()


def load(url, items, media_root):
    """Fresh database with the page tree, demo region, accepted AF3 snapshots and `items`
    published resource pages."""
    recreate_database(url)
    setup_django(url, media_root)
    from django.core.management import call_command

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - started

    started = time.perf_counter()
    _load_items(items)
    from snapshots.demo import seed_snapshots

    seed_snapshots()
    timings["load items (bulk)"] = time.perf_counter() - started

    started = time.perf_counter()
    _index_items()
    from django.db import connection

    from cms.search import update_search_documents

    update_search_documents()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cms_resourcepage")
    timings["search index"] = time.perf_counter() - started
    return timings


def _copy(cursor, table, columns, rows):
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _load_items(count):
    """Bulk-load published pages: treebeard paths computed here, rows written with COPY.

    Page.add_child costs a tree lock, a revision and several queries per page; for 20,000
    pages the base rows go in with bulk_create and the subclass, facet and file rows with COPY.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify
    from wagtail.models import Locale, Page

    from alsmis.demo import seed_organisation, seed_users
    from cms.models import (
        LearningResourcePage,
        ResearchPage,
        ResourcesIndexPage,
        SuccessStoryPage,
    )
    from cms.site_setup import ensure_site_structure
    from repository.models import LearningStrand, Program, ResourceType, Submission
    from repository.vocabularies import seed_vocabularies
    from workflow.demo import sample_pdf

    ensure_site_structure()
    region = seed_organisation()
    seed_users(region)
    seed_vocabularies()
    owner = get_user_model().objects.get(username="als.region")
    divisions = list(region.divisions.all())
    strands = list(LearningStrand.objects.all())
    programs = list(Program.objects.all())
    types = list(ResourceType.objects.all())
    languages = [("english", "English"), ("filipino", "Filipino"), ("iloko", "Iloko")]
    index = ResourcesIndexPage.objects.get()
    locale = Locale.get_default()
    content_types = {
        kind: ContentType.objects.get_for_model(model)
        for kind, model in (
            ("lr", LearningResourcePage),
            ("research", ResearchPage),
            ("story", SuccessStoryPage),
        )
    }
    stored = default_storage.save("bench/sample.pdf", ContentFile(sample_pdf("Benchmark")))
    size = default_storage.size(stored)
    rng = random.Random(20260)
    now = timezone.now()

    with transaction.atomic():
        submissions = []
        for n in range(count):
            division = rng.choice(divisions)
            title = " ".join(rng.sample(WORDS, 2) + rng.sample(FILLER, 2)).title() + f" {n}"
            submissions.append(
                Submission(
                    kind=rng.choice(KINDS),
                    title=title,
                    summary=" ".join(rng.choices(FILLER, k=28) + rng.sample(WORDS, 2)).capitalize()
                    + ".",
                    authors="Maria Dulnuan, Jose Bayangan",
                    keywords=", ".join(rng.sample(WORDS, 3)),
                    school_year="2025-2026",
                    origin_level="division",
                    region=region,
                    division=division,
                    created_by=owner,
                )
            )
        Submission.objects.bulk_create(submissions, batch_size=2000)

        pages = []
        base_path = index.path
        for position, submission in enumerate(submissions, start=1):
            slug = f"{slugify(submission.title)[:180]}-{submission.pk}"
            published = now - timezone.timedelta(days=rng.randint(0, 5 * 365))
            pages.append(
                Page(
                    title=submission.title,
                    draft_title=submission.title,
                    slug=slug,
                    path=Page._get_path(base_path, index.depth + 1, position),
                    depth=index.depth + 1,
                    numchild=0,
                    url_path=f"{index.url_path}{slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    content_type=content_types[submission.kind],
                    locale=locale,
                    owner=owner,
                    first_published_at=published,
                    last_published_at=published,
                    search_description=submission.summary[:300],
                )
            )
        Page.objects.bulk_create(pages, batch_size=2000)
        Page.objects.filter(pk=index.pk).update(numchild=len(pages))

        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor
            resource_rows, subclass_rows, facet_rows = (
                [],
                {"lr": [], "research": [], "story": []},
                [],
            )
            for page, submission in zip(pages, submissions, strict=True):
                year = page.first_published_at.year
                language = rng.choice(languages)
                qa = [
                    {"level": "division", "unit": submission.division.name, "date": "2026-03-02"},
                    {"level": "region", "unit": region.name, "date": "2026-03-09"},
                ]
                resource_rows.append(
                    (
                        page.pk,
                        submission.pk,
                        submission.kind,
                        submission.summary,
                        submission.authors,
                        submission.keywords,
                        language[1],
                        "division",
                        submission.division_id,
                        submission.division.name,
                        region.name,
                        "2025-2026",
                        page.first_published_at.date(),
                        year,
                        json.dumps([["developer", "ALS teachers"]]),
                        page.first_published_at,
                        json.dumps(qa),
                    )
                )
                subclass_rows[submission.kind].append((page.pk,))
                facets = [
                    ("kind", submission.kind, submission.get_kind_display()),
                    ("division", submission.division.slug, submission.division.name),
                    ("language", language[0], language[1]),
                    ("year", str(year), str(year)),
                ]
                if submission.kind == "lr":
                    strand, program, rtype = (
                        rng.choice(strands),
                        rng.choice(programs),
                        rng.choice(types),
                    )
                    facets += [
                        ("strand", strand.code, strand.name),
                        ("program", program.code, program.name),
                        ("type", rtype.code, rtype.name),
                    ]
                facet_rows += [
                    (order, page.pk, facet, value, str(label))
                    for order, (facet, value, label) in enumerate(facets)
                ]
            _copy(
                cursor,
                "cms_resourcepage",
                [
                    "page_ptr_id",
                    "submission_id",
                    "kind",
                    "summary",
                    "authors",
                    "keywords",
                    "languages_display",
                    "origin_level",
                    "division_id",
                    "origin_name",
                    "region_name",
                    "school_year",
                    "date_published",
                    "year",
                    "details",
                    "oai_datestamp",
                    "qa_record",
                ],
                resource_rows,
            )
            for kind, table in (
                ("lr", "cms_learningresourcepage"),
                ("research", "cms_researchpage"),
                ("story", "cms_successstorypage"),
            ):
                _copy(cursor, table, ["resourcepage_ptr_id"], subclass_rows[kind])
            _copy(
                cursor,
                "cms_resourcefacetvalue",
                ["sort_order", "page_id", "facet", "value", "label"],
                facet_rows,
            )
            file_rows, public_rows = [], []
            cursor.execute("SELECT nextval('repository_submissionfile_id_seq')")
            first_id = cursor.fetchone()[0]
            for offset, (page, submission) in enumerate(zip(pages, submissions, strict=True)):
                file_id = first_id + offset
                file_rows.append(
                    (
                        file_id,
                        submission.pk,
                        "main",
                        uuid.uuid4(),
                        1,
                        stored,
                        "module.pdf",
                        size,
                        "0" * 64,
                        "application/pdf",
                        owner.pk,
                        now,
                        True,
                    )
                )
                public_rows.append(
                    (
                        uuid.uuid4(),
                        page.pk,
                        file_id,
                        "main",
                        "module.pdf",
                        size,
                        "application/pdf",
                        0,
                        True,
                        0,
                        "",
                        now,
                    )
                )
            _copy(
                cursor,
                "repository_submissionfile",
                [
                    "id",
                    "submission_id",
                    "role",
                    "lineage",
                    "version",
                    "file",
                    "original_name",
                    "size",
                    "sha256",
                    "mime_type",
                    "uploaded_by_id",
                    "uploaded_at",
                    "is_current",
                ],
                file_rows,
            )
            cursor.execute(
                "SELECT setval('repository_submissionfile_id_seq', %s)", [first_id + len(file_rows)]
            )
            _copy(
                cursor,
                "cms_publicfile",
                [
                    "uuid",
                    "page_id",
                    "submission_file_id",
                    "role",
                    "name",
                    "size",
                    "mime_type",
                    "sort_order",
                    "is_current",
                    "download_count",
                    "preview",
                    "created_at",
                ],
                public_rows,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _index_items():
    """Full-text index for the resource pages, in chunks, through Wagtail's search backend."""
    from wagtail.search.backends import get_search_backend

    from cms.models import ResourcePage

    backend = get_search_backend()
    index = backend.get_index_for_model(ResourcePage)
    pks = list(ResourcePage.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), 1000):
        chunk = ResourcePage.objects.filter(pk__in=pks[start : start + 1000]).specific()
        for model, objects in _by_model(chunk).items():
            index.add_items(model, objects)


def _by_model(pages):
    grouped = {}
    for page in pages:
        grouped.setdefault(type(page), []).append(page)
    return grouped


def wait_for(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (local)
                return response.read()
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def fetch_all(base, paths, workers=4):
    """Request every path once (so that Varnish keeps it), a few at a time."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda path: wait_for(base + path), paths))


def load_average():
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def start_gunicorn(port, env, workers):
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "alsmis.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


# Each of wrk's two threads walks the paths from its own half, so that no two requests of a run
# of all-new paths ask for the same one.
LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local counter = 0
init = function(args)
  counter = id * math.floor(#paths / 2)
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.1f %%.1f %%.1f %%d\\n", summary.requests,
    summary.duration, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, 0))
end
"""


def run_wrk(base, paths, duration, workdir, name, connections=CONNECTIONS):
    """wrk at `connections` (32) over the given paths (round robin); returns the figures."""
    paths_file = workdir / f"{name}.paths"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / f"{name}.lua"
    script.write_text(LUA % {"paths": paths_file})
    result = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    requests, micros, errors, p50, p95, p99, _ = line.split()[1:]
    return {
        "rps": int(requests) / (int(micros) / 1e6),
        "errors": int(errors),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
    }


FACET_VALUES = [
    "kind=lr",
    "kind=research",
    "kind=story",
    "division=abra",
    "division=benguet",
    "division=ifugao",
    "year=2023",
    "year=2024",
    "year=2025",
    "language=english",
    "language=filipino",
]


def new_searches(rng, count, seen):
    """`count` different faceted searches (a word, two facet values, a sort, a page), none in
    `seen` (which they join): more than a 10-second run can request (about 1,300 at 32
    connections), so every request is one the cache lacks. There are about 50,000 in all."""
    found = []
    while len(found) < count:
        first, second = rng.sample(FACET_VALUES, 2)
        sort = rng.choice(["relevance", "newest", "oldest"])
        path = (
            f"/resources/?q={rng.choice(WORDS)}&{first}&{second}&sort={sort}"
            f"&page={rng.randint(1, 3)}"
        )
        if path not in seen:
            seen.add(path)
            found.append(path)
    return found


def nginx_static(html, workdir, duration):
    """Serve one saved item page with nginx (2 workers) and measure it the same way."""
    root = workdir / "static-site"
    root.mkdir(exist_ok=True)
    (root / "item.html").write_bytes(html)
    # nginx's workers run unprivileged: they must be able to read the saved page.
    for path in (workdir, root, root / "item.html"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 2;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {workdir}/nginx-body;
  proxy_temp_path {workdir}/nginx-proxy;
  fastcgi_temp_path {workdir}/nginx-fastcgi;
  uwsgi_temp_path {workdir}/nginx-uwsgi;
  scgi_temp_path {workdir}/nginx-scgi;
  default_type text/html;
  server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
"""
    )
    server = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(workdir)], start_new_session=True
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/item.html")
        return run_wrk(f"http://127.0.0.1:{port}", ["/item.html"], duration, workdir, "nginx")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def report(title, figures):
    print(f"\n{title}")
    print(
        f"  {'page':<28} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'hits':>6}"
    )
    for name, row in figures.items():
        hits = f"{row['hits']:>6.1%}" if "hits" in row else ""
        print(
            f"  {name:<28} {row['rps']:>9.0f} {row['p50']:>8.1f} {row['p95']:>8.1f} "
            f"{row['p99']:>8.1f} {row['errors']:>7} {hits}"
        )


def publish_to_visible(varnish, rounds=5):
    """Publish `rounds` new items through the application (which purges Varnish as the publish
    commits); for each, the seconds until Resources through Varnish lists it."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cms.publication import publish_submission
    from organisation.models import Division
    from repository.models import Submission
    from repository.services import add_file
    from workflow.demo import sample_pdf

    owner = get_user_model().objects.get(username="als.region")
    division = Division.objects.get(slug="benguet")
    seconds = []
    for number in range(rounds):
        title = f"Benchmark Freshly Published Module {uuid.uuid4().hex[:8]}"
        submission = Submission.objects.create(
            kind="lr",
            title=title,
            summary="Published while the cache in front holds every listing.",
            school_year="2025-2026",
            origin_level="division",
            region=division.region,
            division=division,
            created_by=owner,
        )
        add_file(submission, SimpleUploadedFile("module.pdf", sample_pdf(title)), "main", owner)
        varnish.get("/resources/")
        assert varnish.get("/resources/").cache == "hit", "Resources is not cached"
        started = time.perf_counter()
        publish_submission(submission, user=owner)  # commits, then purges
        published = time.perf_counter() - started
        while title not in varnish.get("/resources/").text:
            if time.perf_counter() - started > 30:
                raise RuntimeError(f"{title} not visible after 30 s")
            time.sleep(0.005)
        seconds.append(time.perf_counter() - started)
        print(
            f"  publish {number + 1}: visible on Resources after {seconds[-1] * 1000:.0f} ms"
            f" (the publish and its purges {published * 1000:.0f} ms, then the first render"
            " of Resources for the new collection)"
        )
    return seconds


def searches(rng):
    facet_sets = ["kind=lr", "kind=lr&division=benguet", "division=abra&year=2025", "kind=research"]
    return [f"/resources/?q={rng.choice(WORDS)}&{rng.choice(facet_sets)}" for _ in range(200)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database of an earlier run if it holds the items (default: load afresh)",
    )
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: run `ALSMIS_BENCH=1 bash scripts/ensure-system-deps.sh`.")
    url = os.environ.get("BENCH_PUBLIC_DATABASE_URL", DEFAULT_URL)
    workdir = Path(tempfile.mkdtemp(prefix="alsmis-bench-public-"))
    workdir.chmod(0o755)
    media_root = workdir / "media"
    processes = []
    print(f"Start: {load_average()}")
    try:
        if args.reuse and loaded(url, args.items):
            print(f"Reusing the {args.items:,} items already in {url.rsplit('/', 1)[1]}.")
            setup_django(url, media_root)
        else:
            print(f"Loading {args.items:,} published items into {url.rsplit('/', 1)[1]} ...")
            timings = load(url, args.items, media_root)
            for name, seconds in timings.items():
                print(f"  {name:<22} {seconds:7.1f} s")
        from django.conf import settings
        from django.db import connections

        from cms.models import ResourcePage

        item_paths = [
            "/resources/" + path.split("/resources/", 1)[1]
            for path in ResourcePage.objects.live().values_list("url_path", flat=True)
        ]
        connections.close_all()

        app_port = free_port()
        varnish = Varnish(("127.0.0.1", app_port), workdir=workdir / "varnish", memory="1g")
        env = bench_env(url, media_root, varnish.url, varnish.purge_url)
        processes.append(start_gunicorn(app_port, env, args.workers))
        varnish.start()
        # This process publishes below, through the same purge address as the application.
        settings.WAGTAILFRONTENDCACHE = {
            "varnish": {"BACKEND": "cms.purge.VarnishBackend", "LOCATION": varnish.purge_url}
        }
        settings.ALSMIS_PUBLIC_URL = varnish.url
        app = f"http://127.0.0.1:{app_port}"
        wait_for(app + "/resources/")

        rng = random.Random(7)
        items = rng.sample(item_paths, 2000)
        chosen = searches(rng)
        pages = {
            "item pages (2,000)": items,
            "resources index": ["/resources/"],
            "faceted search (200)": chosen,
            "CLMD (with statistics)": ["/clmd/"],
        }
        for paths in pages.values():
            for path in paths[:20]:
                wait_for(app + path)  # warm-up: imports, connections, the facet index

        print(f"\nThrough Varnish: every page requested once first. {load_average()}")
        fetch_all(varnish.url, items + chosen + ["/resources/", "/clmd/"])
        misses = [p for p in items[:50] + chosen[:20] if varnish.get(p).cache != "hit"]
        if misses:
            raise RuntimeError(f"not cached after warming: {misses[:3]}")
        cached = {}
        seen = set(chosen)
        rows = [(name, paths, CONNECTIONS) for name, paths in pages.items()]
        # A search nobody asked before is rendered by gunicorn: at 32 connections that is a
        # saturation test of the two cores; at 4 and 1, the wait of people searching at once.
        rows += [
            (f"new searches, {count} conn.", new_searches(rng, 8_000, seen), count)
            for count in NEW_SEARCH_CONNECTIONS
        ]
        for number, (name, paths, clients) in enumerate(rows):
            before = varnish.counters(*HIT_COUNTERS)
            cached[name] = run_wrk(
                varnish.url, paths, args.duration, workdir, f"cached-{number}", clients
            )
            after = varnish.counters(*HIT_COUNTERS)
            counted = {key: after[key] - before[key] for key in HIT_COUNTERS}
            # A hit-for-miss also counts as a miss.
            lookups = counted["MAIN.cache_hit"] + counted["MAIN.cache_miss"]
            cached[name]["hits"] = counted["MAIN.cache_hit"] / max(1, lookups)
        report(
            f"Varnish in front of gunicorn ({args.workers} workers), {CONNECTIONS} connections",
            cached,
        )

        print(f"\nPublish to visible. {load_average()}")
        visible = publish_to_visible(varnish)

        for paths in pages.values():
            wait_for(app + paths[0])  # the facet index of the collection as published now
        print(f"\ngunicorn alone, every request rendered. {load_average()}")
        alone = {
            name: run_wrk(app, paths, args.duration, workdir, f"alone-{number}")
            for number, (name, paths) in enumerate(pages.items())
        }
        report(f"gunicorn alone ({args.workers} workers), {CONNECTIONS} connections", alone)

        html = wait_for(app + items[0])
        static = nginx_static(html, workdir, args.duration)
        report("nginx, the same item page's saved HTML as a static file", {"static item": static})

        ratio = cached["item pages (2,000)"]["rps"] / static["rps"]
        print(
            f"\n  cached item pages / nginx static: {ratio:.2f}x;"
            f" gunicorn alone / nginx static: {alone['item pages (2,000)']['rps'] / static['rps']:.3f}x"
        )
        print(
            f"  publish to visible on Resources: median {statistics.median(visible) * 1000:.0f} ms,"
            f" worst {max(visible) * 1000:.0f} ms"
        )
        aims = [
            ("cached item pages >= 0.5x nginx static", ratio >= 0.5),
            ("cached item pages p95 < 10 ms", cached["item pages (2,000)"]["p95"] < 10),
            ("a new publish visible on Resources within 1 s", max(visible) < 1),
        ] + [
            (
                f"new (never cached) searches p95 < 150 ms at {count} connections",
                cached[f"new searches, {count} conn."]["p95"] < 150,
            )
            for count in NEW_SEARCH_CONNECTIONS
        ]
        print()
        for label, met in aims:
            print(f"  aim: {label}: {'met' if met else 'NOT met'}")
        print(f"End: {load_average()}")
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        if "varnish" in locals():
            varnish.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
