"""Benchmark: 30 concurrent staff clients on the submissions API for 60 s, then a loss audit.

Sets up a PostgreSQL database of its own (BENCH_STAFF_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/alsmis_bench_staff, recreated on every run) with the demo region
and users, a SeaweedFS S3 server (tests/s3server.py) as the file storage, and gunicorn (3 workers,
production settings). Each client is a thread with its own bearer token (the login rate limit and
lockout are raised in the server's environment) and does the real mix in a loop:

- teachers: create a draft, upload the main file and the IP declaration, submit, list, open,
  and every fourth round import an AF3 snapshot;
- division records sections: list what waits, open it, receive it (a race with another client
  for the same item is a 409, counted as a conflict, not an error);
- division reviewers: claim a received item, open it, endorse it with a passing rating sheet.

It prints requests/s, p50/p95 per operation and the error count (5xx, connection errors, any
unexpected 4xx), then audits: every transition answered 200 has its history row, every upload
answered 201 has its object in S3 with the SHA-256 the API reported (read back from storage).
Every fourth round a teacher also imports a valid 50-row AF3 CSV for its district
(`POST /api/v1/snapshots`, expected 201).

    .venv/bin/python bench/staff_load.py [--clients 30] [--duration 60] [--workers 3]
"""

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.public_pages import free_port, recreate_database, wait_for  # noqa: E402
from tests.s3server import ACCESS_KEY, SECRET_KEY, SeaweedS3  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/alsmis_bench_staff"
DIVISIONS = [
    "abra",
    "apayao",
    "baguio",
    "benguet",
    "ifugao",
    "kalinga",
    "mountain-province",
    "tabuk",
]
PASSWORD = "alsmis-demo"
SNAPSHOTS = {}  # division slug -> (unit, AF3 CSV bytes), made by setup()


def bench_env(url, s3, bucket):
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "alsmis.settings.production",
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-only-secret-key",
            "LEARNER_DATA_KEYS": "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZy0hISE=",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALSMIS_2FA_ENFORCED": "false",
            "DEMO_PASSWORD": PASSWORD,
            # 30 clients log in from one address within a second.
            "API_LOGIN_RATE": "10000/m",
            "LOGIN_FAILURE_LIMIT": "10000",
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": s3.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "ALSMIS_RELEASE": "bench",
        }
    )
    env.pop("DEBUG", None)
    return env


def setup(url, env):
    recreate_database(url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from alsmis.demo import seed_organisation, seed_users
    from cms.site_setup import ensure_site_structure
    from repository.vocabularies import seed_vocabularies

    call_command("migrate", verbosity=0, interactive=False)
    ensure_site_structure()
    region = seed_organisation()
    seed_users(region)
    seed_vocabularies()
    return snapshot_files(region)


def snapshot_files(region):
    """Per division: the teacher's unit (`slug/DISTRICT`) and a valid 50-row AF3 CSV for it."""
    import datetime

    from organisation.models import Division
    from snapshots import samples
    from snapshots.models import ReportingPeriod

    ReportingPeriod.objects.get_or_create(
        code="2026",
        defaults={
            "cycle": ReportingPeriod.Cycle.CALENDAR_YEAR,
            "start_year": 2026,
            "deadline": datetime.date(2026, 12, 15),
        },
    )
    files = {}
    for index, division in enumerate(Division.objects.filter(region=region)):
        district = division.districts.order_by("pk").first()
        clcs = [(c.name, c.clc_type) for c in district.clcs.all()] or [("Bench CLC", 1)]
        rows = samples.af3_rows(
            50,
            region=region.code,
            division=division.name,
            district=district.name,
            year=2026,
            clcs=clcs,
            seed=index,
            lrn_start=100000000000 + index * 1000,
        )
        files[division.slug] = (f"{division.slug}/{district.code}", samples.to_csv("AF3", rows))
    return files


def pdf_bytes(label):
    body = f"ALS bench {label} {random.random()}".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% "
        + body
        + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


class Recorder:
    """Latencies per operation, errors, conflicts, and what the audit must find afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.errors = defaultdict(int)
        self.conflicts = 0
        self.transitions = []  # (submission id, transition name)
        self.uploads = []  # (file id, sha256)

    def call(self, session, op, method, url, expect, **kwargs):
        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=60, **kwargs)
        except requests.RequestException as exc:
            with self.lock:
                self.errors[f"{op}: {type(exc).__name__}"] += 1
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latency[op].append(elapsed)
            if response.status_code == 409:
                self.conflicts += 1
            elif response.status_code not in expect:
                self.errors[f"{op}: {response.status_code}"] += 1
        return response if response.status_code in expect else None


def login(base, username):
    response = requests.post(
        base + "/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=60
    )
    response.raise_for_status()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return session


def teacher_loop(base, rec, division, stop, session):
    from workflow.demo import lr_data

    api = base + "/api/v1/submissions"
    n = 0
    while not stop.is_set():
        n += 1
        created = rec.call(
            session, "create", "POST", api, {201}, json=lr_data(f"Bench {division} {n}")
        )
        if created is None:
            continue
        sid = created.json()["id"]
        for role in ("main", "ip_declaration"):
            content = pdf_bytes(f"{sid}-{role}")
            uploaded = rec.call(
                session,
                "upload",
                "POST",
                f"{api}/{sid}/files",
                {201},
                data={"role": role},
                files={"file": (f"{role}.pdf", content, "application/pdf")},
            )
            if uploaded is not None:
                body = uploaded.json()
                assert body["sha256"] == hashlib.sha256(content).hexdigest()
                with rec.lock:
                    rec.uploads.append((body["id"], body["sha256"]))
        if rec.call(
            session, "transition", "POST", f"{api}/{sid}/transitions/submit", {200}, json={}
        ):
            with rec.lock:
                rec.transitions.append((sid, "submit"))
        if n % 4 == 1:
            # A learner form as a data snapshot (parsed and stored inline at this size).
            unit, content = SNAPSHOTS[division]
            rec.call(
                session,
                "import",
                "POST",
                base + "/api/v1/snapshots",
                {201},
                data={"form": "AF3", "unit": unit, "period": "2026"},
                files={"file": ("af3.csv", content, "text/csv")},
            )
        rec.call(session, "list", "GET", api, {200}, params={"state": "draft"})
        rec.call(session, "open", "GET", f"{api}/{sid}", {200})


def records_loop(base, rec, division, stop, session):
    api = base + "/api/v1/submissions"
    while not stop.is_set():
        listing = rec.call(
            session, "list", "GET", api, {200}, params={"state": "submitted", "page_size": 50}
        )
        items = (
            (listing.json().get("items") or listing.json().get("results") or []) if listing else []
        )
        if not items:
            time.sleep(0.2)
            continue
        item = random.choice(items)
        detail = rec.call(session, "open", "GET", f"{api}/{item['id']}", {200})
        if detail is None:
            continue
        done = rec.call(
            session,
            "transition",
            "POST",
            f"{api}/{item['id']}/transitions/receive_at_division",
            {200},
            json={"expected_version": detail.json().get("version")},
        )
        if done is not None:
            with rec.lock:
                rec.transitions.append((item["id"], "receive_at_division"))


def passing(sheet):
    items = {}
    for factor in sheet["factors"]:
        for item in factor["items"]:
            items[item["key"]] = 4 if sheet.get("scale") else True
    return {"items": items, "item_comments": {}, "comment": "Meets every criterion."}


def reviewer_loop(base, rec, division, stop, session):
    api = base + "/api/v1/submissions"
    while not stop.is_set():
        listing = rec.call(
            session,
            "list",
            "GET",
            api,
            {200},
            params={"state": "received_by_division", "page_size": 50},
        )
        items = (
            (listing.json().get("items") or listing.json().get("results") or []) if listing else []
        )
        if not items:
            time.sleep(0.2)
            continue
        sid = random.choice(items)["id"]
        claimed = rec.call(
            session,
            "transition",
            "POST",
            f"{api}/{sid}/transitions/claim_division_review",
            {200},
            json={},
        )
        if claimed is None:
            continue
        with rec.lock:
            rec.transitions.append((sid, "claim_division_review"))
        detail = rec.call(session, "open", "GET", f"{api}/{sid}", {200})
        if detail is None:
            continue
        body = detail.json()
        endorsed = rec.call(
            session,
            "review",
            "POST",
            f"{api}/{sid}/transitions/endorse_to_region",
            {200},
            json={"review": passing(body["review_sheet"]), "expected_version": body.get("version")},
        )
        if endorsed is not None:
            with rec.lock:
                rec.transitions.append((sid, "endorse_to_region"))


def audit(rec, s3, bucket):
    """Every successful transition has its history row; every 201 upload its object and checksum."""
    from repository.models import SubmissionFile
    from workflow.models import TransitionRecord

    recorded = set(TransitionRecord.objects.values_list("submission_id", "name"))
    lost_transitions = [t for t in rec.transitions if t not in recorded]
    client = s3.client()
    lost_files = []
    files = SubmissionFile.objects.in_bulk([file_id for file_id, _ in rec.uploads])
    for file_id, sha256 in rec.uploads:
        record = files.get(file_id)
        if record is None or record.sha256 != sha256:
            lost_files.append(file_id)
            continue
        try:
            body = client.get_object(Bucket=bucket, Key=record.file.name)["Body"].read()
        except Exception:
            lost_files.append(file_id)
            continue
        if hashlib.sha256(body).hexdigest() != sha256:
            lost_files.append(file_id)
    return lost_transitions, lost_files


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("BENCH_STAFF_DATABASE_URL", DEFAULT_URL)

    s3 = SeaweedS3().start()
    server = None
    try:
        bucket = s3.create_bucket("alsmis-bench-staff")
        env = bench_env(url, s3, bucket)
        SNAPSHOTS.update(setup(url, env))
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "alsmis.wsgi",
                "--workers",
                str(args.workers),
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
                # Longer than the clients' pauses, so that a pooled connection is not closed by
                # the server just as a client sends on it (seen as a ConnectionError).
                "--keep-alive",
                "30",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz", timeout=120)

        rec = Recorder()
        stop = threading.Event()
        loops = [teacher_loop] * 16 + [records_loop] * 8 + [reviewer_loop] * 6
        threads = []
        for i in range(args.clients):
            loop = loops[i % len(loops)]
            division = DIVISIONS[i % len(DIVISIONS)]
            # Logged in before the clock starts: 30 password hashes at once would otherwise
            # take the first half minute of a 2-core machine.
            role = {teacher_loop: "teacher", records_loop: "records", reviewer_loop: "lrqa"}[loop]
            session = login(base, f"{role}.{division}")
            threads.append(
                threading.Thread(
                    target=loop, args=(base, rec, division, stop, session), daemon=True
                )
            )
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(args.duration)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.perf_counter() - started

        total = sum(len(v) for v in rec.latency.values())
        errors = sum(rec.errors.values())
        print(
            f"\nstaff load: {args.clients} clients, {elapsed:.0f} s, gunicorn {args.workers} workers x 4 threads"
        )
        print(f"  requests: {total}  ({total / elapsed:.1f} requests/s)")
        print(f"  {'operation':<12}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}")
        for op, values in sorted(rec.latency.items()):
            print(
                f"  {op:<12}{len(values):>8}{percentile(values, 0.5):>10.0f}{percentile(values, 0.95):>10.0f}"
            )
        print(f"  errors: {errors} {dict(rec.errors) if errors else ''}")
        print(f"  conflicts (409, a lost race, expected): {rec.conflicts}")
        lost_transitions, lost_files = audit(rec, s3, bucket)
        print(
            f"  audit: {len(rec.transitions)} transitions, {len(lost_transitions)} without history; "
            f"{len(rec.uploads)} uploads, {len(lost_files)} missing or with a wrong checksum"
        )
        sys.exit(1 if errors or lost_transitions or lost_files else 0)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        s3.stop()


if __name__ == "__main__":
    main()
