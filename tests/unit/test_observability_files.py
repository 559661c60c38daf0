"""The sample dashboard and alert rules (deploy/observability) ask only for metrics the
processes export, and every alert says how bad it is and what happened."""
import json
import re

import pytest
import yaml

from shared.config import REPO_ROOT

FOLDER = REPO_ROOT / "deploy" / "observability"
SOURCES = (REPO_ROOT / "shared" / "observability.py", REPO_ROOT / "shared" / "web_metrics.py")
NAME = re.compile(r"\bgrid_[a-z_]+")
# What prometheus_client adds to a counter's or a histogram's name on /metrics.
SUFFIXES = ("_total", "_bucket", "_count", "_sum")


def exported() -> set[str]:
    defined = {name for path in SOURCES for name in re.findall(r'"(grid_[a-z_]+)"', path.read_text())}
    return defined | {name + suffix for name in defined for suffix in SUFFIXES}


def alert_rules() -> list[dict]:
    return [rule for group in yaml.safe_load((FOLDER / "alerts.yml").read_text())["groups"] for rule in group["rules"]]


def dashboard_queries() -> list[str]:
    panels = json.loads((FOLDER / "grafana-dashboard.json").read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


@pytest.mark.parametrize("source", ("alerts", "dashboard"))
def test_every_metric_asked_for_is_exported(source):
    queries = [rule["expr"] for rule in alert_rules()] if source == "alerts" else dashboard_queries()
    asked = {name for query in queries for name in NAME.findall(query)}
    assert asked and asked <= exported(), sorted(asked - exported())


def test_the_three_alerts_ops_asked_for_are_there_each_with_severity_and_summary():
    rules = {rule["alert"]: rule for rule in alert_rules()}
    assert "grid_outbox_oldest_age_seconds" in rules["GridOutboxStale"]["expr"]
    assert "grid_parked_messages" in rules["GridParkedMessages"]["expr"]
    assert "grid_consumers_connected" in rules["GridNoConsumers"]["expr"]
    for rule in rules.values():
        assert rule["labels"]["severity"] in ("warning", "critical") and rule["annotations"]["summary"]
