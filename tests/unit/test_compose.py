"""docker-compose.yml agrees with the code: no docker needed, only the files."""
import re

import pytest
import yaml

from shared.config import COMPONENT_DIRS, REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
POSTGRES_INIT = REPO_ROOT / "deploy" / "docker" / "postgres-init.sql"
CONFIG_VARIABLE = re.compile(r"\$\{([A-Z_]+):")
COMPONENTS = sorted(COMPONENT_DIRS)


@pytest.fixture(scope="module")
def compose_services() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]


def connection_variables(component: str) -> set[str]:
    """The broker and database variables the component's config.yml reads."""
    text = (COMPONENT_DIRS[component] / "config.yml").read_text(encoding="utf-8")
    return {name for name in CONFIG_VARIABLE.findall(text) if name == "AMQP_URI" or name.endswith("_DATABASE_URL")}


def environment(service: dict) -> dict:
    """Compose allows environment as a mapping or as a list of NAME=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return env


def dockerfile(service: dict):
    return REPO_ROOT / service["build"]["dockerfile"]


def created_databases() -> set[str]:
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    return set(re.findall(r"CREATE\s+DATABASE\s+\"?(\w+)\"?", sql, flags=re.IGNORECASE))


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_component_is_built_from_an_existing_dockerfile(compose_services, component):
    assert component in compose_services, f"docker-compose.yml has no {component} service"
    service = compose_services[component]
    assert service["build"]["context"] == "."
    assert dockerfile(service).is_file()


@pytest.mark.parametrize("component", COMPONENTS)
def test_compose_sets_the_connections_the_config_reads(compose_services, component):
    needed = connection_variables(component)
    assert f"{component.upper()}_DATABASE_URL" in needed
    missing = needed - set(environment(compose_services[component]))
    assert not missing, f"{component} reads {sorted(missing)} but compose does not set them"


@pytest.mark.parametrize("component", COMPONENTS)
def test_each_database_url_names_a_database_postgres_init_creates(compose_services, component):
    for name, url in environment(compose_services[component]).items():
        if name.endswith("_DATABASE_URL"):
            database = url.rsplit("/", 1)[-1]
            assert database in created_databases(), f"{name} uses {database!r}, not created by {POSTGRES_INIT.name}"


def test_no_service_pins_a_container_name(compose_services):
    # A fixed name would stop `docker compose up --scale` from starting a second instance.
    assert [name for name, service in compose_services.items() if "container_name" in service] == []


def test_dispatch_publishes_no_ports_so_it_can_scale(compose_services):
    assert "ports" not in compose_services["dispatch"]


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_component_waits_for_a_healthy_broker_and_database(compose_services, component):
    depends_on = compose_services[component]["depends_on"]
    if "AMQP_URI" in connection_variables(component):
        assert depends_on["rabbitmq"]["condition"] == "service_healthy"
    assert depends_on["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_component_starts_after_its_own_migration_succeeded(compose_services, component):
    migrate = compose_services[f"{component}-migrate"]
    assert migrate["command"] == ["python", "-m", "shared.migrations", "upgrade", component]
    assert migrate["build"] == compose_services[component]["build"]  # the same image: its own migrations
    assert migrate["restart"] == "no"
    assert compose_services[component]["depends_on"][f"{component}-migrate"] == {
        "condition": "service_completed_successfully"}
    database = f"{component.upper()}_DATABASE_URL"
    assert environment(migrate)[database] == environment(compose_services[component])[database]


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_component_has_limits_and_a_stop_grace_period(compose_services, component):
    service = compose_services[component]
    assert set(service["deploy"]["resources"]["limits"]) == {"cpus", "memory"}
    assert int(service["stop_grace_period"].removesuffix("s")) >= 45


@pytest.mark.parametrize("component", COMPONENTS)
def test_dockerfile_runs_its_own_component_and_checks_its_own_probe(compose_services, component):
    text = dockerfile(compose_services[component]).read_text(encoding="utf-8")
    startup = [line for line in text.splitlines() if line.startswith(("ENTRYPOINT", "CMD"))]
    assert startup, f"{component}'s Dockerfile has no ENTRYPOINT or CMD"
    assert all(component in line for line in startup), f"{component}'s Dockerfile starts something else: {startup}"
    assert "HEALTHCHECK" in text and "shared.healthcheck" in text and "/livez" in text
