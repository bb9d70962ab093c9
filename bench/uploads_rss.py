"""Benchmark: the web process's memory while a 200 MB file is uploaded (issue 16, part 4).

Starts SeaweedFS and gunicorn (production settings, one sync worker, so the worker is the one
web process) on a PostgreSQL database of its own (BENCH_UPLOADS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/alsmis_bench_uploads, recreated on every run), then uploads a
200 MB PDF-like file to a draft as a teacher would through the API, twice:

1. resumable: POST /api/v1/uploads, 40 parts of 5 MB PUT straight to SeaweedFS with presigned
   URLs, complete; then the background check (size, sniffed type, SHA-256) in a task worker;
2. for comparison, the simple multipart endpoint POST /api/v1/submissions/{id}/files.

and prints, for each: the worker's resident memory (VmRSS) before, at its highest while the
upload runs (sampled every 20 ms) and after, and the bytes the worker read and wrote
(/proc/<pid>/io rchar, wchar); for the check, the task worker's peak memory (VmHWM).

    .venv/bin/python bench/uploads_rss.py [--mb 200]
"""

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.public_pages import bench_env, free_port, recreate_database, wait_for  # noqa: E402
from tests.s3server import ACCESS_KEY, SECRET_KEY, SeaweedS3  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/alsmis_bench_uploads"
MB = 1024 * 1024
PASSWORD = "bench-uploads-password"


def proc_field(pid, name, source="status"):
    for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return int(value.split()[0])
    return None


class Sampler(threading.Thread):
    """Samples a process's VmRSS (kB) every 20 ms until stopped; keeps the highest."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, proc_field(self.pid, "VmRSS") or 0)
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.join()
        return self.peak


def worker_pid(master):
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return int(children[0])


def measure(pid, action):
    """Run `action()` while sampling the worker; returns (figures, action's result)."""
    before = proc_field(pid, "VmRSS")
    io_before = (proc_field(pid, "rchar", "io"), proc_field(pid, "wchar", "io"))
    sampler = Sampler(pid)
    sampler.start()
    started = time.monotonic()
    result = action()
    seconds = time.monotonic() - started
    peak = sampler.stop()
    after = proc_field(pid, "VmRSS")
    io_after = (proc_field(pid, "rchar", "io"), proc_field(pid, "wchar", "io"))
    figures = {
        "seconds": seconds,
        "rss_before_mb": before / 1024,
        "rss_peak_mb": peak / 1024,
        "rss_after_mb": after / 1024,
        "read_mb": (io_after[0] - io_before[0]) / MB,
        "written_mb": (io_after[1] - io_before[1]) / MB,
    }
    return figures, result


def show(title, figures):
    print(
        f"{title}: {figures['seconds']:.1f} s; web worker RSS {figures['rss_before_mb']:.0f} MB "
        f"before, {figures['rss_peak_mb']:.0f} MB at most during, {figures['rss_after_mb']:.0f} MB "
        f"after; the worker read {figures['read_mb']:.1f} MB and wrote {figures['written_mb']:.1f} MB"
    )


def setup(env):
    """Migrate and make a teacher with a draft; returns the draft's id."""
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = f"""
import django; django.setup()
from alsmis.demo import seed_organisation, seed_users
from django.contrib.auth import get_user_model
from workflow.services import create_submission
from workflow.demo import lr_data
region = seed_organisation(); seed_users(region)
teacher = get_user_model().objects.get(username="teacher.benguet")
teacher.set_password({PASSWORD!r}); teacher.save()
print(create_submission(teacher, lr_data("Bench upload")).pk)
"""
    answer = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(answer.stdout.strip().splitlines()[-1])


def main():
    import requests

    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    size = args.mb * MB

    url = os.environ.get("BENCH_UPLOADS_DATABASE_URL", DEFAULT_URL)
    workdir = Path(tempfile.mkdtemp(prefix="alsmis-bench-uploads-"))
    s3 = SeaweedS3().start()
    gunicorn = None
    try:
        bucket = s3.create_bucket("alsmis-bench-uploads")
        recreate_database(url)
        env = bench_env(url, workdir / "media")
        env.update(
            {
                "AWS_STORAGE_BUCKET_NAME": bucket,
                "AWS_S3_ENDPOINT_URL": s3.endpoint,
                "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "SUBMISSION_MAX_UPLOAD_BYTES": str(max(size, 200 * MB)),
                "API_LOGIN_RATE": "1000/m",
            }
        )
        draft = setup(env)
        port = free_port()
        gunicorn = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "alsmis.wsgi", "--workers", "1", "--timeout",
             "600", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz")
        pid = worker_pid(gunicorn)
        session = requests.Session()
        token = session.post(
            f"{base}/api/v1/auth/token",
            json={"username": "teacher.benguet", "password": PASSWORD},
            timeout=30,
        ).json()["token"]
        session.headers["Authorization"] = f"Bearer {token}"

        path = workdir / "scan.pdf"
        digest = hashlib.sha256()
        with path.open("wb") as out:
            out.write(b"%PDF-1.4\n% bench\n")
            digest.update(b"%PDF-1.4\n% bench\n")
            remaining = size - 17
            while remaining:
                chunk = os.urandom(min(MB, remaining))
                out.write(chunk)
                digest.update(chunk)
                remaining -= len(chunk)
        sha256 = digest.hexdigest()
        print(f"File: {size / MB:.0f} MB, SHA-256 {sha256[:16]}…")

        def resumable():
            upload = session.post(
                f"{base}/api/v1/uploads",
                json={"submission": draft, "name": "scan.pdf", "size": size,
                      "type": "application/pdf", "role": "main", "sha256": sha256},
                timeout=60,
            ).json()  # fmt: skip
            numbers = list(range(1, upload["part_count"] + 1))
            signed = session.post(
                f"{base}/api/v1/uploads/{upload['id']}/parts",
                json={"part_numbers": numbers},
                timeout=60,
            ).json()["parts"]
            parts = []
            with path.open("rb") as source:
                for part in signed:
                    source.seek((part["part_number"] - 1) * upload["part_size"])
                    body = source.read(upload["part_size"])
                    answer = requests.put(part["url"], data=body, timeout=120)
                    answer.raise_for_status()
                    parts.append(
                        {"part_number": part["part_number"], "etag": answer.headers["ETag"]}
                    )
            done = session.post(
                f"{base}/api/v1/uploads/{upload['id']}/complete", json={"parts": parts}, timeout=600
            )
            done.raise_for_status()
            return upload["id"], upload["part_count"]

        figures, (upload_id, count) = measure(pid, resumable)
        show(f"Resumable upload ({count} parts straight to S3)", figures)

        # The check, in a task worker of its own (as `make worker` runs it).
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload",
             "--batch", "-v0"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        sampler = Sampler(worker.pid)
        sampler.start()
        started = time.monotonic()
        worker.wait(timeout=600)
        check_seconds = time.monotonic() - started
        sampler.stop()
        state = session.get(f"{base}/api/v1/uploads/{upload_id}", timeout=30).json()
        print(
            f"Check in the task worker (process start included): {check_seconds:.1f} s, peak RSS "
            f"{sampler.peak / 1024:.0f} MB; state {state['state']}, SHA-256 "
            f"{'matches' if (state['file'] or {}).get('sha256') == sha256 else 'DIFFERS'}"
        )

        def simple():
            with path.open("rb") as source:
                answer = session.post(
                    f"{base}/api/v1/submissions/{draft}/files",
                    data={"role": "supporting"},
                    files={"file": ("scan.pdf", source, "application/pdf")},
                    timeout=600,
                )
            answer.raise_for_status()

        figures, _ = measure(pid, simple)
        show("Simple multipart upload through the web process", figures)
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
        s3.stop()


if __name__ == "__main__":
    main()
