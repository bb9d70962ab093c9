"""Benchmark: the public site with 20,000 published items, served by gunicorn, loaded with wrk.

Loads N published resource pages (default 20,000) into a PostgreSQL database of its own
(BENCH_PUBLIC_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/alsmis_bench_public,
recreated on every run), serves the site with gunicorn (2 workers, production settings, DEBUG
off), and drives home, the Resources index, faceted searches (200 searches while new and again
when repeated, then searches that are all new) and item pages at 32 concurrent connections
with Debian's `wrk`, printing requests/s and p50/p95/p99 latency per page. After
loading it renders every item page into the page store, as `manage.py render_public_pages` does
after a deploy and publishing does for each new item. It then runs twice: with the page store as
deployed (item pages stored; listings and searches stored on their first request), and with the
store off (every request renders). For scale it serves one item page's saved HTML as a static
file with nginx and prints the ratio.

    .venv/bin/python bench/public_pages.py [--items 20000] [--duration 10]
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/alsmis_bench_public"
CONNECTIONS = 32
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


def bench_env(url, media_root, cache_seconds):
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
            "ALSMIS_PAGE_CACHE_SECONDS": str(cache_seconds),
            # A fixed release, as a deployment sets it (e.g. to the commit): the stored pages
            # stay valid if someone edits the working tree while the benchmark runs.
            "ALSMIS_RELEASE": "bench",
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


def load(url, items, media_root):
    """Fresh database with the page tree, demo region and `items` published resource pages."""
    recreate_database(url)
    os.environ.update(bench_env(url, media_root, 0))
    import django

    django.setup()
    from django.core.management import call_command

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - started

    started = time.perf_counter()
    _load_items(items)
    timings["load items (bulk)"] = time.perf_counter() - started

    started = time.perf_counter()
    _index_items()
    from django.db import connection

    from cms.search import update_search_documents

    update_search_documents()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cms_resourcepage")
    timings["search index"] = time.perf_counter() - started

    # As after a deploy: every published item page rendered into the page store, in two
    # processes (one per core), English only (the pages measured; production renders both).
    from django.db import connections

    connections.close_all()
    started = time.perf_counter()
    env = bench_env(url, media_root, 300)
    shards = [
        subprocess.Popen(
            [sys.executable, "manage.py", "render_public_pages", "--language", "en"]
            + ["--shard", f"{shard}/2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for shard in range(2)
    ]
    outputs = [shard.communicate()[0] for shard in shards]
    if any(shard.returncode for shard in shards):
        raise RuntimeError("render_public_pages failed:\n" + "\n".join(outputs))
    timings["render item pages"] = time.perf_counter() - started
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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local counter = 0
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


def run_wrk(base, paths, duration, workdir, name):
    """wrk at 32 connections over the given paths (round robin); returns the figures."""
    paths_file = workdir / f"{name}.paths"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / f"{name}.lua"
    script.write_text(LUA % {"paths": paths_file})
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
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
    `seen`: more than a 10-second run can request, so every request is one the store lacks."""
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


def targets(rng, item_paths):
    facet_sets = ["kind=lr", "kind=lr&division=benguet", "division=abra&year=2025", "kind=research"]
    searches = [f"/resources/?q={rng.choice(WORDS)}&{rng.choice(facet_sets)}" for _ in range(200)]
    # The same 200 searches twice: first while they are new (each renders once, then is
    # stored), then again as repeated searches (stored, with the page store on). Then searches
    # that are all new: the worst case, every request rendered.
    return [
        ("home", ["/"]),
        ("resources index", ["/resources/"]),
        ("faceted search", searches),
        ("repeated search", searches),
        ("new searches only", new_searches(rng, 10_000, set(searches))),
        ("item pages", rng.sample(item_paths, 2000)),
    ]


def serve_and_measure(url, media_root, workdir, cache_seconds, duration, item_paths):
    port = free_port()
    env = bench_env(url, media_root, cache_seconds)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "alsmis.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    figures = {}
    try:
        wait_for(base + "/resources/")
        rng = random.Random(7)
        for name, paths in targets(rng, item_paths):
            for path in paths[:20]:
                wait_for(base + path)  # warm-up: imports, connections, templates
            figures[name] = run_wrk(base, paths, duration, workdir, name.replace(" ", "-"))
        sample_html = wait_for(base + item_paths[0])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return figures, sample_html


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
    print(f"  {'page':<18} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, row in figures.items():
        print(
            f"  {name:<18} {row['rps']:>9.0f} {row['p50']:>8.1f} {row['p95']:>8.1f} "
            f"{row['p99']:>8.1f} {row['errors']:>7}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: run `ALSMIS_BENCH=1 bash scripts/ensure-system-deps.sh`.")
    url = os.environ.get("BENCH_PUBLIC_DATABASE_URL", DEFAULT_URL)
    workdir = Path(tempfile.mkdtemp(prefix="alsmis-bench-public-"))
    media_root = workdir / "media"
    try:
        print(f"Loading {args.items:,} published items into {url.rsplit('/', 1)[1]} ...")
        timings = load(url, args.items, media_root)
        for name, seconds in timings.items():
            print(f"  {name:<22} {seconds:7.1f} s")
        from cms.models import ResourcePage

        item_paths = [
            "/resources/" + path.split("/resources/", 1)[1]
            for path in ResourcePage.objects.live().values_list("url_path", flat=True)
        ]
        from django.db import connections

        connections.close_all()
        cached, html = serve_and_measure(url, media_root, workdir, 300, args.duration, item_paths)
        report(
            f"gunicorn, 2 workers, {CONNECTIONS} connections, page store ON (as deployed)", cached
        )
        uncached, _ = serve_and_measure(url, media_root, workdir, 0, args.duration, item_paths)
        report(
            f"gunicorn, 2 workers, {CONNECTIONS} connections, page store OFF (every request renders)",
            uncached,
        )
        static = nginx_static(html, workdir, args.duration)
        report("nginx, the same item page's saved HTML as a static file", {"static item": static})
        print(
            f"\n  static nginx / gunicorn item pages: {static['rps'] / uncached['item pages']['rps']:.1f}x "
            f"(store off), {static['rps'] / cached['item pages']['rps']:.1f}x (store on)"
        )
        # The aims, for the site as deployed; then the same thresholds applied to
        # harder cases the issue does not ask about (a stream of nothing but new searches, and
        # the store switched off), printed for the record.
        aims = [
            ("item page p95 < 50 ms", cached["item pages"]["p95"] < 50),
            ("faceted search p95 < 150 ms", cached["faceted search"]["p95"] < 150),
            ("repeated search p95 < 150 ms", cached["repeated search"]["p95"] < 150),
        ]
        harder = [
            ("new searches only p95 < 150 ms", cached["new searches only"]["p95"] < 150),
            ("store off: item page p95 < 50 ms", uncached["item pages"]["p95"] < 50),
            ("store off: faceted search p95 < 150 ms", uncached["faceted search"]["p95"] < 150),
        ]
        print()
        for label, met in aims:
            print(f"  aim, as deployed: {label}: {'met' if met else 'NOT met'}")
        for label, met in harder:
            print(f"  beyond the aim: {label}: {'yes' if met else 'no'}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
