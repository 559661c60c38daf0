"""rpc inbox: each command's request id and first answer

Revision: 8471ac4d478a (after a5c97e6bc442), 2026-12-01 04:04:49
"""
import sqlalchemy as sa
from alembic import op

import shared.db

revision = '8471ac4d478a'
down_revision = 'a5c97e6bc442'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rpc_inbox',
    sa.Column('request_id', sa.String(length=255), nullable=False),
    sa.Column('command', sa.String(length=120), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('handled_at', shared.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_rpc_inbox'))
    )
    with op.batch_alter_table('rpc_inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rpc_inbox_handled_at'), ['handled_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rpc_inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rpc_inbox_handled_at'))

    op.drop_table('rpc_inbox')
