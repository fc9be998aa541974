"""docker-compose.yml, the Dockerfile and .dockerignore, read as files: Docker itself does not run here.

What these check is what a broken deployment got wrong before: a package
missing from the image, the image running as root, run logs the webserver
cannot see, run links pointing nowhere, services without a healthcheck, runs
executing inside the webserver. The code server's command, healthcheck and
workspace are also run here, outside Docker, as the compose file states them.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml

from foundation.settings import Settings
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CODE_SERVER = "dagster-code-server"
PIPELINE_SERVICES = (CODE_SERVER, "dagster-webserver", "dagster-daemon")
WORKSPACE_USERS = ("dagster-webserver", "dagster-daemon")
MODWATCH_SERVICES = ("migrate", "intake", *PIPELINE_SERVICES)
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) per instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def dockerfile_env(dockerfile) -> dict[str, str]:
    found = {}
    for instruction, arguments in dockerfile:
        if instruction == "ENV":
            found.update(re.findall(r"(\w+)=(\S+)", arguments))
    return found


def test_every_package_of_the_project_is_copied_into_the_image(dockerfile):
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = {pattern.rstrip("*") for pattern in patterns["include"]}
    copied = {arguments.split()[0] for instruction, arguments in dockerfile if instruction == "COPY"}
    assert packages <= copied, packages - copied
    copied_files = {name for instruction, arguments in dockerfile if instruction == "COPY"
                    for name in arguments.split()[:-1]}
    assert {"pyproject.toml", "constraints.txt", "workspace.yaml"} <= copied_files


def test_the_image_runs_as_a_user_that_is_not_root(dockerfile):
    users = [arguments for instruction, arguments in dockerfile if instruction == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    last_user = max(index for index, (instruction, _) in enumerate(dockerfile) if instruction == "USER")
    assert all(instruction != "RUN" for instruction, _ in dockerfile[last_user:]), "nothing runs as root after"
    # The directories the services write to belong to that user.
    env = dockerfile_env(dockerfile)
    chowned = " ".join(arguments for instruction, arguments in dockerfile
                       if instruction == "RUN" and "chown" in arguments)
    for directory in ("$DAGSTER_HOME", "$MODWATCH_HOME"):
        assert directory in chowned
    assert env["DAGSTER_HOME"] and env["MODWATCH_HOME"]


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".env", ".venv", ".modwatch", ".git", "**/__pycache__"} <= ignored


def test_every_long_running_service_has_a_healthcheck(compose):
    services = compose["services"]
    assert set(MODWATCH_SERVICES) | {"postgres"} == set(services)
    long_running = [name for name, service in services.items() if service.get("restart", "") != "no"]
    assert set(long_running) == {"postgres", "intake", *PIPELINE_SERVICES}
    for name in long_running:
        check = services[name].get("healthcheck", {}).get("test")
        assert check and check[0] in {"CMD", "CMD-SHELL"}, name
    assert "/health" in " ".join(services["intake"]["healthcheck"]["test"])
    assert "/server_info" in " ".join(services["dagster-webserver"]["healthcheck"]["test"])
    assert services["dagster-daemon"]["healthcheck"]["test"][1:] == ["dagster-daemon", "liveness-check"]
    assert services[CODE_SERVER]["healthcheck"]["test"][1:4] == ["dagster", "api", "grpc-health-check"]


def test_webserver_and_daemon_share_dagster_storage(compose, dockerfile):
    storage = dockerfile_env(dockerfile)["DAGSTER_HOME"] + "/storage"  # compute logs and local artifacts
    mounts = {name: compose["services"][name].get("volumes", []) for name in PIPELINE_SERVICES}
    shared = set.intersection(*({mount for mount in volumes if mount.endswith(f":{storage}")}
                                for volumes in mounts.values()))
    assert shared, mounts
    (volume,) = {mount.split(":")[0] for mount in shared}
    assert volume in compose["volumes"]
    instance = yaml.safe_load((ROOT / "orchestration" / "dagster.yaml").read_text())
    assert "compute_logs" not in instance and "local_artifact_storage" not in instance, \
        "a configured location must be on the shared volume"
    assert "postgres" in instance["storage"]


def test_the_services_get_their_configuration(compose):
    for name in MODWATCH_SERVICES:
        environment = compose["services"][name]["environment"]
        assert environment["MODWATCH_DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:5432/" in environment["MODWATCH_DATABASE_URL"]
        assert environment["MODWATCH_ADMIN_TOKEN"].startswith("${MODWATCH_ADMIN_TOKEN:?")
        # Run links must use the port the UI is published on, not a fixed localhost:3000.
        assert environment["MODWATCH_DAGSTER_UI_URL"] == "${MODWATCH_DAGSTER_UI_URL:-http://localhost:${UI_PORT:-3000}}"
        assert {"MODWATCH_OSV_URL", "MODWATCH_ADVISORIES_URL", "MODWATCH_RELEASE_FEED_URL"} <= set(environment)
    assert compose["services"]["dagster-webserver"]["ports"] == ["${UI_PORT:-3000}:3000"]
    assert compose["services"]["intake"]["ports"] == ["${API_PORT:-8000}:8000"]


def test_env_example_lists_every_setting_and_every_compose_variable(compose):
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    settings = {f"MODWATCH_{name.upper()}" for name in Settings.model_fields}
    assert settings <= listed, settings - listed
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()))
    assert interpolated <= listed, interpolated - listed


def test_services_start_in_order(compose):
    services = compose["services"]
    migrated = {"migrate": {"condition": "service_completed_successfully"}}
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("intake", CODE_SERVER):
        assert services[name]["depends_on"] == migrated
    for name in WORKSPACE_USERS:
        assert services[name]["depends_on"] == {**migrated, CODE_SERVER: {"condition": "service_healthy"}}


def option(command: list[str], *names: str) -> str:
    """The value of a command's option (`-p 4000` → "4000")."""
    (index,) = [i for i, part in enumerate(command) if part in names]
    return command[index + 1]


def code_server_address(compose) -> tuple[str, int]:
    command = compose["services"][CODE_SERVER]["command"]
    assert command[:3] == ["dagster", "code-server", "start"]
    return CODE_SERVER, int(option(command, "-p", "--port"))


def compose_workspace(compose, service: str) -> tuple[Path, dict]:
    path = option(compose["services"][service]["command"], "-w", "--workspace")
    return ROOT / path, yaml.safe_load((ROOT / path).read_text())


def test_the_webserver_and_the_daemon_run_no_code_and_reach_the_code_server(compose, dockerfile):
    host, port = code_server_address(compose)
    (path,) = {compose_workspace(compose, service)[0] for service in WORKSPACE_USERS}
    workspace = yaml.safe_load(path.read_text())
    # Only a gRPC server: with a python_module entry the webserver would start code (and runs) of its own.
    assert workspace["load_from"] == [{"grpc_server": {"host": host, "port": port, "location_name": "modwatch"}}]
    command = compose["services"][CODE_SERVER]["command"]
    assert option(command, "-m", "--module-name") == "orchestration.definitions"
    assert option(command, "--location-name") == "modwatch"
    assert option(command, "-h", "--host") == "0.0.0.0"  # reachable from the other containers
    assert compose["services"][CODE_SERVER]["healthcheck"]["test"][-2:] == ["-p", str(port)]
    # The workspace file is in the image, at the path the commands name (relative to WORKDIR).
    copied = {arguments.split()[0] for instruction, arguments in dockerfile if instruction == "COPY"}
    assert path.relative_to(ROOT).parts[0] in copied
    assert ("WORKDIR", option(command, "-d", "--working-directory")) in dockerfile


def test_the_code_server_starts_as_compose_runs_it_and_serves_the_workspace(compose, tmp_path):
    """The code server's own command and healthcheck, and the webserver's workspace, on this machine:
    `localhost` stands in for the service name, a free port for its port."""
    _, port = code_server_address(compose)
    local_port = free_port()
    service = compose["services"][CODE_SERVER]
    command = [str(BIN / "dagster") if part == "dagster" else part for part in service["command"]]
    command = [str(local_port) if part == str(port) else str(ROOT) if part == "/app" else part for part in command]
    healthcheck = [str(BIN / "dagster") if part == "dagster" else str(local_port) if part == str(port) else part
                   for part in service["healthcheck"]["test"][1:]]
    _, workspace = compose_workspace(compose, "dagster-webserver")
    workspace["load_from"][0]["grpc_server"].update(host="localhost", port=local_port)
    local_workspace = tmp_path / "workspace.yaml"
    local_workspace.write_text(yaml.safe_dump(workspace))

    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while subprocess.run(healthcheck, capture_output=True, timeout=60).returncode != 0:
            assert server.poll() is None, "the code server exited"
            assert time.monotonic() < deadline, "the code server's healthcheck never passed"
            time.sleep(1)
        listed = subprocess.run([str(BIN / "dagster"), "job", "list", "-w", str(local_workspace)],
                                capture_output=True, text=True, timeout=180, cwd=tmp_path)
    finally:
        # The server's own gRPC process is its child: end the whole group.
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)

    assert listed.returncode == 0, listed.stderr[-2000:]
    jobs = set(re.findall(r"^Job: (\S+)$", listed.stdout, re.MULTILINE))
    assert {"ingest", "refresh_releases", "load_osv_advisories", "reconcile"} <= jobs
