"""Run the platform's processes side by side and stop them all together.

Each child gets its own process group so that Ctrl-C (or SIGTERM) reaches
the whole tree — Dagster's webserver and daemon start grandchildren — and
nothing is left behind.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass
class Service:
    name: str
    argv: list[str]


class Supervisor:
    def __init__(self, env: dict[str, str], output=None):
        self._env = env
        self._output = output  # a file for the children's stdout and stderr; None: inherit ours
        self._children: dict[str, subprocess.Popen] = {}

    def start(self, service: Service) -> None:
        self._children[service.name] = subprocess.Popen(
            service.argv, env=self._env, start_new_session=True,
            stdout=self._output, stderr=self._output,
        )

    def process(self, name: str) -> subprocess.Popen:
        return self._children[name]

    def first_exited(self) -> str | None:
        for name, child in self._children.items():
            if child.poll() is not None:
                return name
        return None

    def stop(self, grace_seconds: float = 15.0) -> None:
        for child in self._children.values():
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for child in self._children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()
        # Grandchildren outlive a parent that exits early; sweep each group once more.
        for child in self._children.values():
            _signal_group(child, signal.SIGKILL)

    def wait_forever(self) -> str | None:
        """Block until Ctrl-C / SIGTERM or until a service dies, then stop everything; answers the dead one."""
        stopping = False
        dead = None

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            while not stopping:
                dead = self.first_exited()
                if dead:
                    print(f"modwatch: {dead} exited; stopping", file=sys.stderr)
                    break
                time.sleep(0.5)
        finally:
            print("modwatch: stopping…", file=sys.stderr)
            self.stop()
        return dead


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def port_in_use(port: int) -> bool:
    """Whether something listens on `port` (on any interface), so that a server started there would fail."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def platform_services(*, api_port: int, ui_port: int, workspace: str) -> list[Service]:
    python = sys.executable
    bindir = os.path.dirname(python)
    return [
        Service("intake", [python, "-m", "uvicorn", "intake.main:create_app", "--factory",
                           "--host", "0.0.0.0", "--port", str(api_port),
                           "--no-access-log"]),
        Service("dagster-webserver", [os.path.join(bindir, "dagster-webserver"),
                                      "-w", workspace, "-h", "0.0.0.0", "-p", str(ui_port)]),
        # Warnings only: at info the daemon logs every sensor tick, and the
        # console `up` prints to would scroll away within a minute.
        Service("dagster-daemon", [os.path.join(bindir, "dagster-daemon"), "run",
                                   "-w", workspace, "--log-level", "warning"]),
    ]
