"""buildings: each building's outline on the community's plan (平面图), in local metres

Revision: 5b7e2c1d9a40 (after 3c92654d001b), 2026-12-01 04:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '5b7e2c1d9a40'
down_revision = '3c92654d001b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('buildings', sa.Column('outline', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('buildings') as batch_op:
        batch_op.drop_column('outline')
