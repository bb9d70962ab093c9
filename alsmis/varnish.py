"""Running Varnish with the repository's VCL (`deploy/varnish/default.vcl`) on this machine.

Used by `make serve` (scripts/serve.py), the cache tests (tests/http_cache.py) and the benchmark
(bench/public_pages.py). Varnish is Debian's `varnish` package (scripts/ensure-system-deps.sh
installs it). Run as root it drops to its own users (`varnish`, `vcache`), so its working
directory is made readable to them.
"""

import http.client
import json
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
DEFAULT_BACKEND = ('.host = "127.0.0.1";', '.port = "8000";')


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def varnishd_binary():
    """The path of `varnishd` (Debian installs it in /usr/sbin, often not on a user's PATH)."""
    found = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise RuntimeError(
            "varnishd not found: install Debian's `varnish` (bash scripts/ensure-system-deps.sh)."
        )
    return found


def vcl_for(backend_host, backend_port):
    """The repository's VCL with its backend pointed at `backend_host:backend_port`."""
    text = VCL.read_text()
    host, port = DEFAULT_BACKEND
    if host not in text or port not in text:
        raise RuntimeError(f"{VCL} no longer has the default backend address {host} {port}")
    return text.replace(host, f'.host = "{backend_host}";', 1).replace(
        port, f'.port = "{backend_port}";', 1
    )


@dataclass
class Answer:
    """One response from the cache: status, headers (lower-case names) and body."""

    status: int
    headers: dict
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def cache(self):
        """The X-Cache header the VCL adds: "hit", "miss" or "pass"."""
        return self.headers.get("x-cache", "")


class Varnish:
    """`varnishd` in the foreground, in front of `backend`, with a public and a purge address.

    `url` is what visitors use, `purge_url` what the application purges through
    (ALSMIS_FRONTEND_CACHE_URL). `workdir` keeps the generated VCL, Varnish's own files and its
    log (default: a temporary directory, removed by `stop`).
    """

    def __init__(self, backend, *, port=None, purge_port=None, workdir=None, memory="256m"):
        host, backend_port = backend
        # A VCL backend must resolve to one address; "localhost" may give two (IPv4 and IPv6).
        self.backend = ("127.0.0.1" if host == "localhost" else host, int(backend_port))
        self.port = port or free_port()
        self.purge_port = purge_port or free_port()
        self.temporary = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="alsmis-varnish-"))
        self.memory = memory
        self.process = None
        self.log = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def purge_url(self):
        return f"http://127.0.0.1:{self.purge_port}"

    def start(self, timeout=60):
        """Start varnishd and wait until it answers; returns self."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        # Varnish's child processes run as its own users when started as root.
        self.workdir.chmod(0o755)
        vcl = self.workdir / "default.vcl"
        vcl.write_text(vcl_for(*self.backend))
        vcl.chmod(0o644)
        args = [
            varnishd_binary(),
            "-F",
            "-n",
            str(self.workdir / "instance"),
            "-f",
            str(vcl),
            "-a",
            f"http=127.0.0.1:{self.port}",
            "-a",
            f"purge=127.0.0.1:{self.purge_port}",
            "-s",
            f"malloc,{self.memory}",
            # The management interface only on a port of the loopback chosen by the system.
            "-T",
            "127.0.0.1:0",
        ]
        self.log = open(self.workdir / "varnishd.log", "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            args, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.workdir / "varnishd.log").read_text(errors="replace")
                raise RuntimeError(f"varnishd exited early:\n{log[-3000:]}")
            try:
                self.request("BAN", "/", headers={"X-Ban-Path": "^/"}, purge=True)
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"varnishd did not answer within {timeout} s")

    def request(self, method, path, *, headers=None, purge=False, source=None, timeout=30):
        """Send one request to the public (or the purge) address and read the whole answer.

        `source` is the local address to send from (e.g. "127.0.0.2", outside the ACL).
        """
        port = self.purge_port if purge else self.port
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
        )
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            body = response.read()
            found = {name.lower(): value for name, value in response.getheaders()}
            return Answer(response.status, found, body)
        finally:
            connection.close()

    def get(self, path, headers=None):
        """GET `path` through the cache as a visitor would."""
        return self.request("GET", path, headers=headers)

    def counters(self, *names):
        """{name: value} of Varnish's own counters (`varnishstat`), e.g. "MAIN.cache_hit"."""
        binary = shutil.which("varnishstat") or "/usr/bin/varnishstat"
        result = subprocess.run(
            [binary, "-n", str(self.workdir / "instance"), "-1", "-j"],
            capture_output=True,
            text=True,
            check=True,
        )
        found = json.loads(result.stdout)
        found = found.get("counters", found)  # the JSON's layout differs between versions
        return {name: found[name]["value"] for name in names}

    def forget_everything(self):
        """Ban every cached object (e.g. between tests whose databases reuse the same paths)."""
        answer = self.request("BAN", "/", headers={"X-Ban-Path": "^/"}, purge=True)
        if answer.status != 200:
            raise RuntimeError(f"Varnish refused the ban: {answer.status}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.log is not None:
            self.log.close()
        if self.temporary:
            shutil.rmtree(self.workdir, ignore_errors=True)
