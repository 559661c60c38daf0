import os

import pytest

from tests.support import PostgresDatabase, Vhost, postgres_available


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
