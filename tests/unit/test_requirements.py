"""The dependency sets (requirements/): each lock is current with its .in file, the locks
agree with one another, every pin has its hashes, and a service carries no gateway package."""
import re

import pytest

from shared.config import REPO_ROOT

REQUIREMENTS = REPO_ROOT / "requirements"
LOCKS = ("service", "gateway", "web", "dev")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
GATEWAY_ONLY = {"flask", "gunicorn", "argon2-cffi", "apispec", "swagger-ui-bundle"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(name: str) -> dict[str, str]:
    text = (REQUIREMENTS / f"{name}.txt").read_text(encoding="utf-8")
    return {canonical(m.group(1)): m.group(2) for line in text.splitlines() if (m := PIN.match(line))}


def asked(name: str) -> dict[str, str]:
    """The exact pins of an .in file and of the files it includes."""
    pins = {}
    for line in (REQUIREMENTS / f"{name}.in").read_text(encoding="utf-8").splitlines():
        if line.startswith("-r "):
            pins.update(asked(line.split()[1].removesuffix(".in")))
        elif m := PIN.match(line):
            pins[canonical(m.group(1))] = m.group(2)
    return pins


@pytest.mark.parametrize("name", LOCKS)
def test_each_lock_holds_what_its_in_file_asks_for(name):
    lock = locked(name)
    stale = {package: version for package, version in asked(name).items() if lock.get(package) != version}
    assert not stale, f"requirements/{name}.txt is older than {name}.in for {stale}: run `make lock`"


@pytest.mark.parametrize("name", LOCKS)
def test_every_locked_package_has_its_hashes(name):
    text = (REQUIREMENTS / f"{name}.txt").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
    for entry in entries:
        if PIN.match(entry):
            assert "--hash=sha256:" in entry, entry.splitlines()[0]
    assert "setuptools==" in text  # pinned too (nameko's CLI needs pkg_resources)


@pytest.mark.parametrize("name", ("service", "gateway", "web"))
def test_the_components_run_the_versions_the_tests_ran(name):
    dev = locked("dev")
    differing = {p: (v, dev.get(p)) for p, v in locked(name).items() if dev.get(p) != v}
    assert not differing, f"{name}.txt and dev.txt differ: {differing}"


def test_a_service_image_carries_none_of_the_gateway_packages():
    assert not GATEWAY_ONLY & set(locked("service"))
    assert "psycogreen" not in locked("gateway") and "psycogreen" not in locked("web")


DOCKERFILES = {**{REPO_ROOT / "services" / s / "Dockerfile": "service"
                  for s in ("reporting", "dispatch", "mediation", "scoring")},
               REPO_ROOT / "gateway" / "Dockerfile": "gateway", REPO_ROOT / "web" / "Dockerfile": "web"}
BASE = re.compile(r"^ARG PYTHON_IMAGE=(\S+@sha256:[0-9a-f]{64})$", re.MULTILINE)


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.parent.name)
def test_each_image_installs_its_own_lock_with_hashes_on_a_base_pinned_by_digest(path):
    text = path.read_text(encoding="utf-8")
    assert f"COPY requirements/{DOCKERFILES[path]}.txt requirements.txt" in text
    assert "pip install --no-cache-dir --require-hashes -r requirements.txt" in text
    assert BASE.search(text) and "FROM ${PYTHON_IMAGE}" in text


def test_every_image_has_the_same_base():
    assert len({BASE.search(path.read_text(encoding="utf-8")).group(1) for path in DOCKERFILES}) == 1
