"""Service configuration: each service's config.yml with ${ENV_VAR:default} values.

Nameko reads the same files with the same substitution, so a process started
by ``nameko run`` (through shared.serve) and a command such as the migrator see
identical settings. A secret may come from a file instead: NAME_FILE=/path sets
NAME to the file's content (Kubernetes and compose mount secrets as files), for
every NAME the config.yml reads.
"""
import os
import re
from pathlib import Path

import yaml
from nameko.cli.main import setup_yaml_parser

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVICES_DIR = REPO_ROOT / "services"
SERVICE_NAMES = ("reporting", "dispatch", "mediation", "scoring")
# Everything that owns a database and a config.yml: the four services, the gateway and the console.
COMPONENT_DIRS = {**{name: SERVICES_DIR / name for name in SERVICE_NAMES}, "gateway": REPO_ROOT / "gateway",
                  "web": REPO_ROOT / "web"}


CONFIG_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)[:}]")


def config_variables(path: Path) -> set[str]:
    """The environment variables a config.yml reads."""
    return set(CONFIG_VARIABLE.findall(path.read_text(encoding="utf-8")))


def read_secret_files(names, environ=os.environ) -> None:
    """For each NAME with NAME_FILE set, put the file's content (less its final newline) in NAME."""
    for name in sorted(names):
        path = environ.get(f"{name}_FILE")
        if not path:
            continue
        try:
            content = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise RuntimeError(f"{name}_FILE names {path}, which cannot be read: {exc.strerror}") from None
        if environ.get(name) not in (None, "", content):  # the same value is this process having read it before
            raise RuntimeError(f"both {name} and {name}_FILE are set; set one of them")
        environ[name] = content


def load_config(path: Path) -> dict:
    """A config.yml with its variables substituted, secrets read from their files first."""
    read_secret_files(config_variables(path))
    return load_yaml(path)


def load_yaml(path: Path) -> dict:
    setup_yaml_parser()
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def component_config(name: str) -> dict:
    if name not in COMPONENT_DIRS:
        raise ValueError(f"unknown component {name!r}; expected one of {tuple(COMPONENT_DIRS)}")
    return load_config(COMPONENT_DIRS[name] / "config.yml")


def amqp_uri() -> str:
    read_secret_files({"AMQP_URI"})
    return os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


DEVELOPMENT_SECRET = "local-development-only-secret"
# A signing key (HMAC-SHA256): 32 characters of `openssl rand -hex 32` are 128 bits at least.
MIN_SECRET_KEY_CHARS = 32
LOOPBACK = ("127.", "localhost", "[::1]")


def check_secret_key(secret: str, bind: str, variable: str = "GATEWAY_SECRET_KEY", component: str = "the gateway",
                     signs: str = "every access token") -> None:
    """Refuse the published development key beyond this machine, and any key too short to be safe."""
    if secret == DEVELOPMENT_SECRET:
        if not bind.startswith(LOOPBACK):
            # Anyone could sign whatever the key signs with the published key.
            raise RuntimeError(f"{variable} must be set when {component} listens beyond this machine ({bind})")
    elif len(secret) < MIN_SECRET_KEY_CHARS:
        raise RuntimeError(f"{variable} has {len(secret)} characters; it signs {signs}, so it "
                           f"must have at least {MIN_SECRET_KEY_CHARS}. Make one with: openssl rand -hex 32")
