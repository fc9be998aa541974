"""The platform's processes as the benchmark runs them: real, separate, measurable.

The intake is the same uvicorn process `modwatch up` starts; the daemon is
the real `dagster-daemon` with the landing sensor, launching real run
processes. Both join the benchmark's own database and Dagster home, so a
benchmark never touches the platform's data.
"""

import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from modwatch.supervisor import Supervisor, platform_services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """The process's high-water resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_for_health(base_url: str, timeout_seconds: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the intake at {base_url} did not answer /health in {timeout_seconds:.0f} s")


@dataclass
class Intake:
    base_url: str
    process: subprocess.Popen

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.process.pid)


@contextmanager
def running(environment: dict[str, str], *, workspace: str, daemon: bool, log: Path):
    """The intake (and, if asked, the Dagster daemon) until the block ends; their output goes to `log`."""
    port = free_port()
    services = {service.name: service for service in platform_services(
        api_port=port, ui_port=free_port(), workspace=workspace)}
    services["intake"].argv[services["intake"].argv.index("0.0.0.0")] = "127.0.0.1"
    output = log.open("ab")
    supervisor = Supervisor(environment, output=output)
    try:
        supervisor.start(services["intake"])
        if daemon:
            supervisor.start(services["dagster-daemon"])
        base_url = f"http://127.0.0.1:{port}"
        wait_for_health(base_url)
        yield Intake(base_url, supervisor.process("intake"))
    finally:
        supervisor.stop(grace_seconds=10)
        output.close()
