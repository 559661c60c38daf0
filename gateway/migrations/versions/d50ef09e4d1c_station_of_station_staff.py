"""station of station staff

Revision: d50ef09e4d1c (after ae5d4ba2b09b), 2026-11-26 00:09:57.983082
"""
import sqlalchemy as sa
from alembic import op

revision = 'd50ef09e4d1c'
down_revision = 'ae5d4ba2b09b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('station')

