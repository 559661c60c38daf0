"""calendar_changes: each correction of the working calendar with its reason, who made it and when

Revision: d47db33af411 (after e51c0a7d2b94), 2026-12-01 09:23:34
"""
import sqlalchemy as sa
from alembic import op

import shared.db

revision = 'd47db33af411'
down_revision = 'e51c0a7d2b94'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_changes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('changed_at', shared.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_changes'))
    )
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_changes_day'), ['day'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_changes_day'))

    op.drop_table('calendar_changes')
