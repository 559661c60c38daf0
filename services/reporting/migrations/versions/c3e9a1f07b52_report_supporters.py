"""reports: "me too" (附议), who joined a report and how many

Revision: c3e9a1f07b52 (after 8471ac4d478a), 2026-12-01 04:25:00
"""
import sqlalchemy as sa
from alembic import op

import shared.db

revision = 'c3e9a1f07b52'
down_revision = '8471ac4d478a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('reports', sa.Column('supporters', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'report_supporters',
        sa.Column('report_id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('at', shared.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_supporters_report_id_reports')),
        sa.PrimaryKeyConstraint('report_id', 'account_id', name=op.f('pk_report_supporters')),
    )


def downgrade() -> None:
    op.drop_table('report_supporters')
    with op.batch_alter_table('reports') as batch_op:
        batch_op.drop_column('supporters')
