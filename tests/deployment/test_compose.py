"""docker-compose.yml, the Dockerfile and .dockerignore, read as files: Docker itself does not run here.

What these check is what a broken deployment got wrong before: a package
missing from the image, the image running as root, run logs the webserver
cannot see, run links pointing nowhere, services without a healthcheck.
"""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from foundation.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PIPELINE_SERVICES = ("dagster-webserver", "dagster-daemon")
MODWATCH_SERVICES = ("migrate", "intake", *PIPELINE_SERVICES)


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
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("intake", *PIPELINE_SERVICES):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
