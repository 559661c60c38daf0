"""outbox: the request id an event goes out with (the nameko.request_id header)

Revision: a838c4da16dc (after cd4a57f9d7e5), 2026-12-01 00:08:43
"""
import sqlalchemy as sa
from alembic import op

revision = 'a838c4da16dc'
down_revision = 'cd4a57f9d7e5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('request_id', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_column('request_id')
