"""console sessions: server-side sign-ins holding the gateway's tokens

Revision: 2afbb8bbd9e1 (after ), 2026-12-01 04:06:01.028917
"""
import sqlalchemy as sa
from alembic import op

import shared.db

revision = '2afbb8bbd9e1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('account', sa.JSON(), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=False),
    sa.Column('signed_in_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', shared.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_console_sessions'))
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_last_seen_at'), ['last_seen_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_sessions_last_seen_at'))

    op.drop_table('console_sessions')
