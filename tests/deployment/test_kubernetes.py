"""deploy/: the Kubernetes manifests and the Dagster chart's values, read as files (no cluster runs here).

Every manifest is validated against the Kubernetes API schemas bundled with
`kubernetes-validate` (offline, strict: an unknown or misspelt field fails).
The chart's values are checked against the keys the official chart reads,
and the pieces are checked against each other and against the code: the
image's module and working directory, the pooler's names and ports, the
settings' variable names, the health route the probes call.
"""

import configparser
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import kubernetes_validate
import pytest
import yaml

from foundation.settings import Settings
from tests.support.live import make_settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
VALUES = ROOT / "deploy" / "helm" / "dagster-values.yaml"
KUBERNETES_VERSION = "1.31"  # the oldest release the manifests are meant for still in upstream support
# What the code reads: the settings, and the few variables the pipeline reads itself (`dg.EnvVar`).
SETTING_VARIABLES = {f"MODWATCH_{name.upper()}" for name in Settings.model_fields} | {
    name for path in (ROOT / "orchestration").rglob("*.py")
    for name in re.findall(r"[\"'](MODWATCH_[A-Z_]+)[\"']", path.read_text())}

# The keys the official Dagster chart (1.13) reads under each section these values set; a misspelt
# key is silently ignored by Helm, so it is caught here.
CHART_KEYS = {
    "": {"global", "generatePostgresqlPasswordSecret", "postgresql", "dagsterWebserver", "dagster-user-deployments",
         "runLauncher", "dagsterDaemon", "retention", "telemetry", "computeLogManager", "ingress", "migrate",
         "imagePullSecrets", "serviceAccount", "scheduler", "pythonLogs", "busybox", "rabbitmq", "redis", "flower",
         "generateCeleryConfigSecret", "additionalInstanceConfig"},
    "global": {"postgresqlSecretName", "dagsterHome", "serviceAccountName", "celeryConfigSecretName"},
    "postgresql": {"postgresqlScheme", "image", "enabled", "postgresqlHost", "postgresqlUsername",
                   "postgresqlPassword", "postgresqlDatabase", "postgresqlParams", "service"},
    "dagsterWebserver": {"replicaCount", "image", "service", "workspace", "env", "envConfigMaps", "envSecrets",
                         "resources", "nodeSelector", "affinity", "tolerations", "podSecurityContext",
                         "securityContext", "annotations", "labels", "livenessProbe", "readinessProbe",
                         "startupProbe", "enableReadOnly", "dbStatementTimeout", "dbPoolRecycle", "logLevel",
                         "pathPrefix", "volumeMounts", "volumes", "schedulerName", "deploymentLabels"},
    "dagster-user-deployments": {"enabled", "enableSubchart", "imagePullSecrets", "deployments"},
    "deployment": {"name", "image", "port", "dagsterApiGrpcArgs", "codeServerArgs", "includeConfigInLaunchedRuns",
                   "env", "envConfigMaps", "envSecrets", "annotations", "nodeSelector", "affinity", "tolerations",
                   "podSecurityContext", "securityContext", "resources", "livenessProbe", "readinessProbe",
                   "startupProbe", "labels", "volumeMounts", "volumes", "schedulerName"},
    "runLauncher": {"type", "config"},
    "k8sRunLauncher": {"image", "imagePullPolicy", "jobNamespace", "loadInclusterConfig", "kubeconfigFile",
                       "envConfigMaps", "envSecrets", "envVars", "volumeMounts", "volumes", "labels",
                       "failPodOnRunFailure", "resources", "schedulerName", "securityContext", "runK8sConfig"},
    "runK8sConfig": {"containerConfig", "podSpecConfig", "podTemplateSpecMetadata", "jobSpecConfig", "jobMetadata"},
    "dagsterDaemon": {"enabled", "image", "runCoordinator", "heartbeatTolerance", "env", "envConfigMaps",
                      "envSecrets", "deploymentLabels", "labels", "nodeSelector", "affinity", "tolerations",
                      "podSecurityContext", "securityContext", "resources", "livenessProbe", "readinessProbe",
                      "startupProbe", "annotations", "runMonitoring", "runRetries", "sensors", "schedules",
                      "schedulerName", "volumeMounts", "volumes"},
    "runCoordinator": {"enabled", "type", "config"},
    "queuedRunCoordinator": {"maxConcurrentRuns", "tagConcurrencyLimits", "dequeueIntervalSeconds",
                             "dequeueNumWorkers", "dequeueUseThreads", "blockOpConcurrencyLimitedRuns"},
    "runMonitoring": {"enabled", "startTimeoutSeconds", "cancelTimeoutSeconds", "pollIntervalSeconds",
                      "maxResumeRunAttempts", "freeSlotsAfterRunEndSeconds"},
    "retention": {"enabled", "sensor", "schedule", "autoMaterialize"},
    "tickRetention": {"skipped", "success", "failure", "started"},
}


def documents(path: Path) -> list[dict]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


@pytest.fixture(scope="module")
def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


@pytest.fixture(scope="module")
def manifests(kustomization) -> list[dict]:
    return [document for name in kustomization["resources"] for document in documents(K8S / name)]


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def find(manifests: list[dict], kind: str, name: str) -> dict:
    matches = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind} {name}: {len(matches)} found"
    return matches[0]


def generated_secrets(kustomization) -> dict[str, dict[str, str]]:
    """Each generated Secret's keys and values, read from the committed `.example` of its source files."""
    secrets = {}
    for generator in kustomization["secretGenerator"]:
        data = {}
        for source in generator.get("envs", []):
            lines = (K8S / f"{source}.example").read_text().splitlines()
            data |= dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
        for source in generator.get("files", []):
            data[Path(source).name] = (K8S / f"{source}.example").read_text()
        secrets[generator["name"]] = data
    return secrets


def pgbouncer_ini(manifests) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(inline_comment_prefixes=None, comment_prefixes=(";", "#"), strict=True)
    parser.read_string(find(manifests, "ConfigMap", "modwatch-pgbouncer")["data"]["pgbouncer.ini"])
    return parser


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def test_every_manifest_is_valid_kubernetes_strictly(manifests, kustomization):
    listed = set(kustomization["resources"])
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk, "every manifest is applied by the kustomization, and only those"
    kinds = set()
    for manifest in manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        kinds.add((manifest["apiVersion"], manifest["kind"]))
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == kustomization["namespace"]
    assert {("apps/v1", "Deployment"), ("v1", "Service"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
            ("apps/v1", "StatefulSet"), ("v1", "ConfigMap"), ("batch/v1", "Job")} <= kinds


def test_the_validator_refuses_a_misspelt_field():
    # The strict schemas are what make the test above worth having.
    broken = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
              "spec": {"ports": [{"port": 80, "targetPort": 8000, "protocl": "TCP"}]}}
    with pytest.raises(kubernetes_validate.ValidationError, match="protocl"):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_generated_secrets_are_valid_and_have_example_sources(kustomization):
    for name, data in generated_secrets(kustomization).items():
        secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "modwatch"},
                  "type": "Opaque", "stringData": data}
        kubernetes_validate.validate(secret, KUBERNETES_VERSION, strict=True)
        assert all("CHANGE-ME" in value for value in data.values()), f"{name}: examples hold no real secret"
    assert kustomization["generatorOptions"]["disableNameSuffixHash"] is True  # the chart names them as they are


def test_every_settings_variable_named_exists(manifests, values, kustomization):
    named = set()
    for manifest in manifests:
        if manifest["kind"] == "ConfigMap" and manifest["metadata"]["name"] == "modwatch-settings":
            named |= set(manifest["data"])
        for container in (pod_spec(manifest)["containers"] if "template" in manifest.get("spec", {}) else []):
            named |= {variable["name"] for variable in container.get("env", [])}
    for data in generated_secrets(kustomization).values():
        named |= set(data)
    named |= set(re.findall(r"MODWATCH_[A-Z_]+", VALUES.read_text()))
    modwatch = {name for name in named if name.startswith("MODWATCH_")}
    assert modwatch and modwatch <= SETTING_VARIABLES, modwatch - SETTING_VARIABLES
    assert "MODWATCH_TEST_DATABASE_URL" not in modwatch


def test_processes_get_their_settings_and_secrets(manifests, values, kustomization):
    secrets = generated_secrets(kustomization)
    intake = pod_spec(find(manifests, "Deployment", "modwatch-intake"))["containers"][0]
    sources = {(s.get("configMapRef") or s.get("secretRef"))["name"] for s in intake["envFrom"]}
    assert sources == {"modwatch-settings", "modwatch-intake-secrets"}
    assert {"MODWATCH_DATABASE_URL", "MODWATCH_ADMIN_TOKEN"} <= set(secrets["modwatch-intake-secrets"])
    code = values["dagster-user-deployments"]["deployments"][0]
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    for pipeline in (code, launcher):
        assert pipeline["envConfigMaps"] == [{"name": "modwatch-settings"}]
        assert pipeline["envSecrets"] == [{"name": "modwatch-secrets"}]
    assert set(secrets["modwatch-secrets"]) == {"MODWATCH_DATABASE_URL"}  # the pipeline never sees the admin token
    password_secret = values["global"]["postgresqlSecretName"]
    assert set(secrets[password_secret]) == {"postgresql-password"} and not values["generatePostgresqlPasswordSecret"]


def check_keys(section: dict, allowed: str, where: str) -> None:
    unknown = set(section) - CHART_KEYS[allowed]
    assert not unknown, f"{where}: keys the chart does not read: {sorted(unknown)}"


def test_helm_values_use_only_keys_the_chart_reads(values):
    check_keys(values, "", "values")
    for section in ("global", "postgresql", "dagsterWebserver", "dagster-user-deployments", "runLauncher",
                    "dagsterDaemon", "retention"):
        check_keys(values[section], section, section)
    for deployment in values["dagster-user-deployments"]["deployments"]:
        check_keys(deployment, "deployment", deployment["name"])
    launcher = values["runLauncher"]["config"]
    assert set(launcher) == {"k8sRunLauncher"}
    check_keys(launcher["k8sRunLauncher"], "k8sRunLauncher", "k8sRunLauncher")
    check_keys(launcher["k8sRunLauncher"]["runK8sConfig"], "runK8sConfig", "runK8sConfig")
    daemon = values["dagsterDaemon"]
    check_keys(daemon["runCoordinator"], "runCoordinator", "runCoordinator")
    assert set(daemon["runCoordinator"]["config"]) == {"queuedRunCoordinator"}
    check_keys(daemon["runCoordinator"]["config"]["queuedRunCoordinator"], "queuedRunCoordinator", "queued")
    check_keys(daemon["runMonitoring"], "runMonitoring", "runMonitoring")
    check_keys(values["retention"]["sensor"]["purgeAfterDays"], "tickRetention", "sensor retention")


def test_runs_are_kubernetes_jobs_queued_one_per_shard_with_one_daemon(values):
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    daemon = values["dagsterDaemon"]
    assert daemon["enabled"] is True and "replicaCount" not in daemon  # the chart's daemon is a singleton
    coordinator = daemon["runCoordinator"]
    assert coordinator["enabled"] is True and coordinator["type"] == "QueuedRunCoordinator"
    queued = coordinator["config"]["queuedRunCoordinator"]
    assert {"key": "modwatch/shard", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in (
        queued["tagConcurrencyLimits"])
    assert queued["maxConcurrentRuns"] > 1
    monitoring = daemon["runMonitoring"]
    assert monitoring["enabled"] is True and monitoring["maxResumeRunAttempts"] == 0


def test_the_shard_tag_is_the_one_the_platform_limits_locally(values):
    # The same limit in both setups: one Dagster instance config per home, one per cluster.
    local = yaml.safe_load((ROOT / "orchestration" / "dagster.yaml").read_text())
    limits = local["run_coordinator"]["config"].get("tag_concurrency_limits", [])
    if limits:
        shard = next(limit for limit in limits if limit["key"] == "modwatch/shard")
        queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
        assert shard["value"] == queued["tagConcurrencyLimits"][0]["value"] and shard["limit"] == 1


def test_the_code_server_runs_our_image_and_definitions(values, manifests):
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"][0]["python_module"]
    workdir = re.search(r"^WORKDIR (\S+)", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    [code] = values["dagster-user-deployments"]["deployments"]
    arguments = code["dagsterApiGrpcArgs"]
    assert arguments[arguments.index("--module-name") + 1] == workspace["module_name"]
    assert arguments[arguments.index("--working-directory") + 1] == workdir
    assert code["name"] == workspace["location_name"]
    assert code["includeConfigInLaunchedRuns"] == {"enabled": True}
    # The intake, the migration and the code server run one image.
    image = f"{code['image']['repository']}:{code['image']['tag']}"
    for kind, name in (("Deployment", "modwatch-intake"), ("Job", "modwatch-migrate")):
        assert pod_spec(find(manifests, kind, name))["containers"][0]["image"] == image


def test_the_image_for_kubernetes_adds_dagster_k8s_at_dagsters_version():
    # name==version, some lines followed by "; <environment marker>"
    pins = (line.split(";")[0].strip() for line in (ROOT / "constraints.txt").read_text().splitlines())
    constraints = dict(pin.split("==") for pin in pins if pin)
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    pinned = re.search(r'"dagster-k8s==([\d.]+)"', dockerfile).group(1)
    major, minor, patch = map(int, constraints["dagster"].split("."))
    assert pinned == f"0.{minor + 16}.{patch}" and major == 1
    assert constraints["dagster-postgres"] == pinned  # the integration libraries share one version
    assert "USER modwatch" in dockerfile.splitlines()[-1]


def test_the_intake_runs_the_app_and_scales(manifests):
    dockerfile_cmd = re.search(r"^CMD (\[.*\])", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    deployment = find(manifests, "Deployment", "modwatch-intake")
    container = pod_spec(deployment)["containers"][0]
    command = container["command"]
    assert command[:3] == yaml.safe_load(dockerfile_cmd)[:3]  # uvicorn intake.main:create_app --factory
    assert "replicas" not in deployment["spec"]  # the autoscaler owns the count
    # Liveness never depends on the database: an outage must not restart every pod.
    assert "httpGet" not in container["livenessProbe"]
    assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
    port = container["ports"][0]
    assert command[command.index("--port") + 1] == str(port["containerPort"])
    service = find(manifests, "Service", "modwatch-intake")
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["targetPort"] == port["name"]
    autoscaler = find(manifests, "HorizontalPodAutoscaler", "modwatch-intake")
    assert autoscaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                                    "name": "modwatch-intake"}
    assert 2 <= autoscaler["spec"]["minReplicas"] < autoscaler["spec"]["maxReplicas"]
    assert autoscaler["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_the_readiness_probe_calls_the_route_that_tells_whether_the_database_answers(
        manifests, live_app, tmp_path, free_port_url):
    container = pod_spec(find(manifests, "Deployment", "modwatch-intake"))["containers"][0]
    path = container["readinessProbe"]["httpGet"]["path"]
    up = live_app()
    down = live_app(make_settings(tmp_path, free_port_url))
    assert httpx.get(up.base_url + path, timeout=10).status_code == 200
    answer = httpx.get(down.base_url + path, timeout=10)
    assert answer.status_code == 503 and answer.json()["database"] == "down"


def test_every_database_client_goes_through_the_pooler_to_an_entry_it_has(manifests, values, kustomization):
    ini = pgbouncer_ini(manifests)
    bouncer = ini["pgbouncer"]
    assert bouncer["pool_mode"] == "transaction"
    assert int(bouncer["max_prepared_statements"]) > 0  # psycopg prepares statements it runs often
    # The intake sends its timeouts as startup `options`, which only a session could keep.
    assert {"options", "extra_float_digits"} <= {p.strip() for p in bouncer["ignore_startup_parameters"].split(",")}
    assert "statement_timeout" in ini["databases"]["modwatch_api"]
    # JIT, which both the intake and the pipeline turn off in their startup `options`, is turned off by the entry.
    assert all("SET jit = off" in ini["databases"][entry] for entry in ("modwatch_api", "modwatch"))
    service = find(manifests, "Service", "modwatch-pgbouncer")
    host, port = service["metadata"]["name"], service["spec"]["ports"][0]["port"]
    assert str(port) == bouncer["listen_port"]
    secrets = generated_secrets(kustomization)
    urls = {name: urlsplit(secrets[secret]["MODWATCH_DATABASE_URL"])
            for name, secret in (("pipeline", "modwatch-secrets"), ("intake", "modwatch-intake-secrets"))}
    for url in urls.values():
        assert (url.hostname, url.port) == (host, port) and url.path.lstrip("/") in ini["databases"]
    assert urls["intake"].path == "/modwatch_api" and urls["pipeline"].path == "/modwatch"
    dagster = values["postgresql"]
    assert (dagster["enabled"], dagster["postgresqlHost"], dagster["service"]["port"]) == (False, host, port)
    assert dagster["postgresqlDatabase"] in ini["databases"]
    # Every entry reaches the one PostgreSQL Service, and the server can hold every pool of every replica.
    postgres = find(manifests, "Service", "modwatch-postgres")
    pools = 0
    for entry in ini["databases"].values():
        fields = dict(re.findall(r"(\w+)=('[^']*'|\S+)", entry))
        assert fields["host"] == postgres["metadata"]["name"] and fields["port"] == "5432"
        pools += int(fields.get("pool_size", bouncer["default_pool_size"])) + int(bouncer["reserve_pool_size"])
    replicas = find(manifests, "Deployment", "modwatch-pgbouncer")["spec"]["replicas"]
    server = pod_spec(find(manifests, "StatefulSet", "modwatch-postgres"))["containers"][0]["args"]
    max_connections = int(next(a.split("=")[1] for a in server if a.startswith("max_connections=")))
    assert pools * replicas < max_connections
    users = secrets["modwatch-pgbouncer-users"]["userlist.txt"]
    assert bouncer["auth_file"].endswith("/userlist.txt") and users.startswith(f'"{dagster["postgresqlUsername"]}"')


def test_kubernetes_validate_is_a_dev_dependency_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert any(d.startswith("kubernetes-validate") for d in project["project"]["optional-dependencies"]["dev"])
    assert re.search(r"^kubernetes-validate==", (ROOT / "constraints.txt").read_text(), re.M)
