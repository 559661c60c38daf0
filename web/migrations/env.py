from shared.migrations import run_migrations
from web.sessions import Base

run_migrations(Base.metadata)
