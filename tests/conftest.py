import os

import pytest

from tests.support import PostgresDatabase, Vhost, postgres_available

# rabbitmqctl listens for Erlang distribution on eleven ports, 35672-35682 by default, inside Linux's
# ephemeral range (32768-60999): under this suite's churn of client connections ordinary sockets can hold
# all eleven, and every later call fails with "Distribution failed" (exit 78; seen in CI). Below the
# ephemeral range no client socket takes a port, and a hundred leave room for calls side by side.
CLI_DISTRIBUTION_PORTS = {"RABBITMQ_CTL_DIST_PORT_MIN": "25700", "RABBITMQ_CTL_DIST_PORT_MAX": "25799"}


def pytest_configure(config):
    """Every rabbitmqctl the tests run, theirs or a tool's they start, inherits the port range."""
    for name, value in CLI_DISTRIBUTION_PORTS.items():
        os.environ.setdefault(name, value)


@pytest.fixture(scope="module")
def vhost():
    """A RabbitMQ vhost of the test module's own: no queue or message leaks between modules."""
    created = Vhost().create()
    yield created
    created.delete()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Database-backed integration tests run on SQLite and, where it runs, PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if not postgres_available():
        if os.environ.get("TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail("TEST_REQUIRE_POSTGRES=1 but PostgreSQL does not answer at TEST_POSTGRES_URI")
        pytest.skip("PostgreSQL is not running here (set TEST_POSTGRES_URI)")
    database = PostgresDatabase().create()
    yield database.url
    database.drop()
