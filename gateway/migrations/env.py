import gateway.keys  # noqa: F401  (its tables share the accounts' metadata)
from gateway.accounts import Base
from shared.migrations import run_migrations

run_migrations(Base.metadata)
