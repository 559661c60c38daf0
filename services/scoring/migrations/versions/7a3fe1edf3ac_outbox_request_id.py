"""outbox: the request id an event goes out with (the nameko.request_id header)

Revision: 7a3fe1edf3ac (after 4227301fcbaf), 2026-12-01 00:08:44
"""
import sqlalchemy as sa
from alembic import op

revision = '7a3fe1edf3ac'
down_revision = '4227301fcbaf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('request_id', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_column('request_id')
