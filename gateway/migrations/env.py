from gateway import audit, idempotency, keys, throttle, tokens  # noqa: F401  (their tables join the metadata)
from gateway.accounts import Base
from shared.migrations import run_migrations

run_migrations(Base.metadata)
