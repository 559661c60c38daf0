"""calendar_revision: one row moved on with every calendar change, so each process caches the calendar

Revision: e51c0a7d2b94 (after 5b7e2c1d9a40), 2026-12-01 04:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e51c0a7d2b94'
down_revision = '5b7e2c1d9a40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'calendar_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_revision')),
    )
    op.bulk_insert(table, [{'id': 1, 'revision': 1}])


def downgrade() -> None:
    op.drop_table('calendar_revision')
