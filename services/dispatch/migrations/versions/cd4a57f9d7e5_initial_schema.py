"""initial schema

Revision: cd4a57f9d7e5 (after ), 2026-11-25 20:42:42.571014
"""
import sqlalchemy as sa
from alembic import op

import shared.db

revision = 'cd4a57f9d7e5'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('category_policies',
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('handler_kind', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('is_dispute', sa.Boolean(), nullable=False),
    sa.Column('limit_amount', sa.Integer(), nullable=False),
    sa.Column('limit_unit', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('category', name=op.f('pk_category_policies'))
    )
    op.create_table('communities',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('street', sa.String(length=100), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_communities'))
    )
    op.create_table('grids',
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('community', 'code', name=op.f('pk_grids'))
    )
    op.create_table('inbox',
    sa.Column('consumer', sa.String(length=120), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('handled_at', shared.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_inbox'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('routing_key', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', shared.db.UTCDateTime(), nullable=True),
    sa.Column('published_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['published_at', 'id'], unique=False)

    op.create_table('property_companies',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_property_companies'))
    )
    op.create_table('report_facts',
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('grid', sa.String(length=32), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('handler', sa.String(length=64), nullable=True),
    sa.Column('found_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('due_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('closed_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('closed_on_time', sa.Boolean(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('closed_level', sa.String(length=16), nullable=True),
    sa.Column('deferred', sa.Boolean(), nullable=False),
    sa.Column('yellow', sa.Boolean(), nullable=False),
    sa.Column('red', sa.Boolean(), nullable=False),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.Column('returns', sa.Integer(), nullable=False),
    sa.Column('reworks', sa.Integer(), nullable=False),
    sa.Column('escalations_community', sa.Integer(), nullable=False),
    sa.Column('escalations_street', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_report_facts'))
    )
    with op.batch_alter_table('report_facts', schema=None) as batch_op:
        batch_op.create_index('ix_report_facts_period', ['community', 'found_at'], unique=False)

    op.create_table('routing_rules',
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('grid', sa.String(length=32), nullable=False),
    sa.Column('handler_kind', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('community', 'category', 'grid', name=op.f('pk_routing_rules'))
    )
    op.create_table('staff',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('grid', sa.String(length=32), nullable=True),
    sa.Column('building', sa.String(length=32), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.Column('company', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_staff'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index('ix_staff_community_role', ['community', 'role'], unique=False)

    op.create_table('task_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('until', shared.db.UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('created_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('decided_at', shared.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_requests'))
    )
    with op.batch_alter_table('task_requests', schema=None) as batch_op:
        batch_op.create_index('ix_task_requests_task', ['task_id', 'created_at'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('cause_event_id', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('grid', sa.String(length=32), nullable=True),
    sa.Column('building', sa.String(length=32), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('handler_kind', sa.String(length=16), nullable=False),
    sa.Column('staff_code', sa.String(length=64), nullable=False),
    sa.Column('handler_name', sa.String(length=100), nullable=False),
    sa.Column('company', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('limit_unit', sa.String(length=16), nullable=False),
    sa.Column('deadline_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('supervision', sa.String(length=16), nullable=False),
    sa.Column('warn_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('supervise_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('escalate_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('next_check_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('deferred', sa.Boolean(), nullable=False),
    sa.Column('extension_count', sa.Integer(), nullable=False),
    sa.Column('escalation_reason', sa.Text(), nullable=True),
    sa.Column('created_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('resolved_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('resolution_photos', sa.JSON(), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('rework_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    sa.UniqueConstraint('cause_event_id', name=op.f('uq_tasks_cause_event_id'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_community_status', ['community', 'status', 'deadline_at'], unique=False)
        batch_op.create_index('ix_tasks_handler_status', ['staff_code', 'status'], unique=False)
        batch_op.create_index('ix_tasks_next_check', ['next_check_at'], unique=False)
        batch_op.create_index('ix_tasks_report', ['report_id', 'created_at'], unique=False)

    op.create_table('buildings',
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('grid', sa.String(length=32), nullable=False),
    sa.Column('property_company', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['community', 'grid'], ['grids.community', 'grids.code'], name=op.f('fk_buildings_community_grids')),
    sa.PrimaryKeyConstraint('community', 'code', name=op.f('pk_buildings'))
    )
    op.create_table('units',
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('building', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['community', 'building'], ['buildings.community', 'buildings.code'], name=op.f('fk_units_community_buildings')),
    sa.PrimaryKeyConstraint('community', 'building', 'code', name=op.f('pk_units'))
    )


def downgrade() -> None:
    op.drop_table('units')
    op.drop_table('buildings')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_report')
        batch_op.drop_index('ix_tasks_next_check')
        batch_op.drop_index('ix_tasks_handler_status')
        batch_op.drop_index('ix_tasks_community_status')

    op.drop_table('tasks')
    with op.batch_alter_table('task_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_task_requests_task')

    op.drop_table('task_requests')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_community_role')

    op.drop_table('staff')
    op.drop_table('routing_rules')
    with op.batch_alter_table('report_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_report_facts_period')

    op.drop_table('report_facts')
    op.drop_table('property_companies')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    op.drop_table('inbox')
    op.drop_table('grids')
    op.drop_table('communities')
    op.drop_table('category_policies')
    op.drop_table('calendar_days')
