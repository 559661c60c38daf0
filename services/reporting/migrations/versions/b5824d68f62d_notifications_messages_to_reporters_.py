"""notifications: messages to reporters, handlers and grids, read per account

Revision: b5824d68f62d (after c3e9a1f07b52), 2026-12-01 04:24:34.470019
"""
import sqlalchemy as sa
from alembic import op

import shared.db

revision = 'b5824d68f62d'
down_revision = 'c3e9a1f07b52'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('recipient', sa.String(length=140), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_notifications_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_recipient', ['recipient', 'id'], unique=False)

    op.create_table('notification_reads',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_notification_reads_notification_id_notifications')),
    sa.PrimaryKeyConstraint('account_id', 'notification_id', name=op.f('pk_notification_reads'))
    )


def downgrade() -> None:
    op.drop_table('notification_reads')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient')

    op.drop_table('notifications')
