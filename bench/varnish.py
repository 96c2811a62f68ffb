"""Run Debian's varnishd with deploy/varnish/default.vcl in front of an app server.

Used by `make serve VARNISH=1`, the benchmark and the test suite. Varnish and
varnish-modules (xkey) are installed by deploy/varnish/install.sh when missing.
Each run has its own working directory (`-n`), so it never meets a system
varnishd or another run.
"""

import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
INSTALL = ROOT / "deploy" / "varnish" / "install.sh"
# The tag header can be long (a list page names every row it shows).
PARAMETERS = {
    "http_resp_hdr_len": "64k",
    "http_resp_size": "128k",
    "workspace_backend": "256k",
    "http_req_hdr_len": "64k",
    "http_req_size": "128k",
    "workspace_client": "256k",
}


def ensure_installed() -> str:
    """Return varnishd's path, installing Varnish with apt-get if it is missing."""
    subprocess.run(["sh", str(INSTALL)], check=True)
    found = shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
    )
    if found is None:
        raise RuntimeError("varnishd is missing after deploy/varnish/install.sh")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def vcl_for(backend_host: str, backend_port: int, *, probe: bool = True) -> str:
    """Return the shipped VCL pointed at one backend."""
    text = VCL.read_text()
    text = re.sub(r'\.host = "[^"]*";', f'.host = "{backend_host}";', text, count=1)
    text = re.sub(r'\.port = "[^"]*";', f'.port = "{backend_port}";', text, count=1)
    if not probe:
        text = re.sub(r"\.probe = \{.*?\n    \}\n", "", text, flags=re.S)
    return text


class Varnish:
    """A varnishd process on a free port of 127.0.0.1 (a context manager)."""

    def __init__(self, backend_port: int, *, backend_host="127.0.0.1", port=None):
        self.backend = (backend_host, backend_port)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.workdir: Path | None = None

    def start(self, *, probe: bool = True, memory: str = "256m") -> "Varnish":
        varnishd = ensure_installed()
        self.workdir = Path(tempfile.mkdtemp(prefix="tw-varnish-"))
        self.workdir.chmod(0o755)
        vcl = self.workdir / "default.vcl"
        vcl.write_text(vcl_for(*self.backend, probe=probe))
        vcl.chmod(0o644)
        command = [
            varnishd,
            "-F",
            "-n",
            str(self.workdir / "n"),
            "-a",
            f"127.0.0.1:{self.port}",
            "-f",
            str(vcl),
            "-s",
            f"malloc,{memory}",
        ]
        for name, value in PARAMETERS.items():
            command += ["-p", f"{name}={value}"]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"varnishd exited: {self.process.stderr.read().decode()[-2000:]}"
                )
            try:
                urllib.request.urlopen(  # noqa: S310 - our own local process
                    urllib.request.Request(self.url + "/healthz", method="HEAD"),
                    timeout=2,
                )
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("varnishd did not answer within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> "Varnish":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
