"""Migrators started at once serialise on the component's migration lock: one
migrates, the others wait for it, find the schema at head and exit 0 — on
PostgreSQL (an advisory lock) and SQLite (a lock file). Real processes, as a
Kubernetes Job, compose's migrate service and `make run` start them."""
import os
import subprocess
import sys

import pytest

from shared.config import REPO_ROOT
from shared.migrations import code_heads, current_heads, migration_lock, wait_for_head

pytestmark = pytest.mark.integration

MIGRATORS = 3


def test_concurrent_migrators_serialise_and_all_succeed(database_url, monkeypatch):
    monkeypatch.setenv("REPORTING_DATABASE_URL", database_url)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "REPORTING_DATABASE_URL": database_url}
    head = ", ".join(code_heads("reporting"))
    assert not wait_for_head("reporting", timeout_s=0)

    # The test holds the lock first, so all three migrators are surely running at
    # once when it is released: no timing luck decides whether they overlap.
    with migration_lock("reporting", database_url):
        migrators = [subprocess.Popen([sys.executable, "-m", "shared.migrations", "upgrade", "reporting"],
                                      cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(MIGRATORS)]
        for migrator in migrators:
            assert migrator.stdout.readline().strip() == "reporting: waiting for another migrator to finish"
    outputs = [migrator.communicate(timeout=120) for migrator in migrators]

    assert [migrator.returncode for migrator in migrators] == [0] * MIGRATORS, outputs
    said = sorted(stdout.strip().splitlines()[-1] for stdout, _stderr in outputs)
    assert said == [f"reporting: already at {head}; nothing to do"] * (MIGRATORS - 1) + [
        f"reporting: migrated from an empty database to {head}"]
    assert current_heads(database_url) == code_heads("reporting")
    assert wait_for_head("reporting", timeout_s=0)
