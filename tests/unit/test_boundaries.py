"""The shape of the code, guarded: who may import whom (ARCHITECTURE.md, "Who owns what").

Every module's imports are read from its source, including imports inside
functions, so a lazy import cannot hide an edge. The rules:

- a service imports no other service;
- the gateway and the console (web/) import no service at all: they speak to
  the services through shared.contracts only;
- shared/ imports no service;
- a domain module imports no infrastructure (nameko, SQLAlchemy, kombu …);
- the modules of the project import each other without a cycle.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "shared", "gateway", "web", "deploy", "bench")
EDGES = ("gateway", "web")  # they call services over the bus, never import them
INFRASTRUCTURE = ("nameko", "sqlalchemy", "kombu", "amqp", "eventlet", "alembic", "flask")


def modules(root: Path) -> dict[str, Path]:
    """Dotted name → file, for every module of the project's packages under ``root``."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module ``name`` imports, anywhere in its source; a project module where the name is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # "from gateway import api" imports the module gateway.api; "from x import name" imports x
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def top(name: str) -> str:
    return name.split(".")[0]


def service_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 1 else None


def broken_rules(graph: dict[str, set[str]]) -> list[str]:
    broken = []
    for module, imported in sorted(graph.items()):
        for target in sorted(imported):
            owner, used = service_of(module), service_of(target)
            if owner and used and owner != used:
                broken.append(f"{module} imports {target}: a service imports no other service")
            if top(module) in EDGES and top(target) == "services":
                broken.append(f"{module} imports {target}: {top(module)}/ imports only shared contracts")
            if top(module) == "shared" and top(target) == "services":
                broken.append(f"{module} imports {target}: shared/ imports no service")
            if module.rpartition(".")[2] == "domain" and top(target).lower() in INFRASTRUCTURE:
                broken.append(f"{module} imports {target}: a domain module is pure")
    return broken


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (or a module importing itself), by Tarjan."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_module_keeps_to_its_side_of_the_boundaries():
    assert broken_rules(import_graph()) == []


def test_the_modules_import_each_other_without_a_cycle():
    assert cycles(import_graph()) == []


def test_the_guard_sees_each_kind_of_trespass(tmp_path):
    """A tree that breaks every rule once, so the two tests above can fail."""
    files = {
        "services/__init__.py": "",
        "services/dispatch/__init__.py": "",
        "services/dispatch/domain.py": "def rule():\n    import sqlalchemy\n",
        "services/dispatch/service.py": "from services.reporting import models\n",
        "services/reporting/__init__.py": "",
        "services/reporting/models.py": "",
        "shared/__init__.py": "",
        "shared/bus.py": "from services.dispatch.service import x\n",
        "gateway/__init__.py": "",
        "gateway/api.py": "from . import app\n\ndef page():\n    import services.reporting.models\n",
        "gateway/app.py": "from gateway import api\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    graph = import_graph(tmp_path)
    assert broken_rules(graph) == [
        "gateway.api imports services.reporting.models: gateway/ imports only shared contracts",
        "services.dispatch.domain imports sqlalchemy: a domain module is pure",
        "services.dispatch.service imports services.reporting.models: a service imports no other service",
        "shared.bus imports services.dispatch.service: shared/ imports no service",
    ]
    assert cycles(graph) == [["gateway.api", "gateway.app"]]
