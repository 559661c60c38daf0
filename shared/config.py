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
# Everything that owns a database and a config.yml: the four services and the gateway.
COMPONENT_DIRS = {**{name: SERVICES_DIR / name for name in SERVICE_NAMES}, "gateway": REPO_ROOT / "gateway"}


def load_yaml(path: Path) -> dict:
    setup_yaml_parser()
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def component_config(name: str) -> dict:
    if name not in COMPONENT_DIRS:
        raise ValueError(f"unknown component {name!r}; expected one of {tuple(COMPONENT_DIRS)}")
    return load_yaml(COMPONENT_DIRS[name] / "config.yml")


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
