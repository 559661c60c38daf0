"""Service configuration: each service's config.yml with ${ENV_VAR:default} values.

Nameko reads the same files with the same substitution, so a process started
by ``nameko run`` and a command such as the migrator see identical settings.
"""
import os
from pathlib import Path

import yaml
from nameko.cli.main import setup_yaml_parser

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVICES_DIR = REPO_ROOT / "services"
SERVICE_NAMES = ("reporting", "dispatch", "mediation", "scoring")


def load_yaml(path: Path) -> dict:
    setup_yaml_parser()
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def service_config(service: str) -> dict:
    if service not in SERVICE_NAMES:
        raise ValueError(f"unknown service {service!r}; expected one of {SERVICE_NAMES}")
    return load_yaml(SERVICES_DIR / service / "config.yml")


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
