"""initial schema

Revision: ae5d4ba2b09b (after ), 2026-11-25 20:17:58.206594
"""
import sqlalchemy as sa
from alembic import op

revision = 'ae5d4ba2b09b'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('grid', sa.String(length=32), nullable=True),
    sa.Column('building', sa.String(length=32), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.Column('staff_code', sa.String(length=64), nullable=True),
    sa.Column('company', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_accounts'))
    )


def downgrade() -> None:
    op.drop_table('accounts')
