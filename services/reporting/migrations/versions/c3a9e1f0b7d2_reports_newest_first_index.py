"""reports: an index for the newest-first list of a community (community, created_at, id)

Revision: c3a9e1f0b7d2 (after b5824d68f62d), 2026-12-01 05:05:00
"""
from alembic import op

revision = 'c3a9e1f0b7d2'
down_revision = 'b5824d68f62d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_reports_community_created', 'reports', ['community', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reports_community_created', table_name='reports')
