"""initial schema

Revision: 4227301fcbaf (after ), 2026-11-25 21:45:36.636634
"""
import sqlalchemy as sa
from alembic import op

import shared.db

revision = '4227301fcbaf'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fund_periods',
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('fund', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('base', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('settled_by', sa.String(length=64), nullable=True),
    sa.Column('settled_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('pool', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('counted_total', sa.Integer(), nullable=True),
    sa.Column('shared_equally', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('community', 'code', name=op.f('pk_fund_periods'))
    )
    op.create_table('households',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('building', sa.String(length=32), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_households'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index('ix_households_community', ['community', 'building', 'unit'], unique=False)

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

    op.create_table('payouts',
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('household', sa.String(length=64), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('base', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reward', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payout', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('community', 'period', 'household', name=op.f('pk_payouts'))
    )
    op.create_table('rules',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=32), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('cap_per_period', sa.Integer(), nullable=True),
    sa.Column('needs_verification', sa.Boolean(), nullable=False),
    sa.Column('evidence_required', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('decision', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('code', 'version', name=op.f('pk_rules'))
    )
    op.create_table('staff_records',
    sa.Column('staff', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('rework', sa.Integer(), nullable=False),
    sa.Column('returns', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('basically_satisfied', sa.Integer(), nullable=False),
    sa.Column('unsatisfied', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('staff', 'period', name=op.f('pk_staff_records'))
    )
    op.create_table('ledger_entries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('household', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('rule_code', sa.String(length=64), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence_kind', sa.String(length=16), nullable=True),
    sa.Column('evidence_ref', sa.String(length=200), nullable=True),
    sa.Column('proposed_by', sa.String(length=64), nullable=False),
    sa.Column('proposed_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('needs_verification', sa.Boolean(), nullable=False),
    sa.Column('reverses', sa.String(length=36), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('verified_by', sa.String(length=64), nullable=True),
    sa.Column('verified_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('published_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('window_ends', shared.db.UTCDateTime(), nullable=True),
    sa.Column('objection', sa.Text(), nullable=True),
    sa.Column('objected_by', sa.String(length=64), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('effective_at', shared.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['household'], ['households.code'], name=op.f('fk_ledger_entries_household_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_community_period', ['community', 'period', 'state'], unique=False)
        batch_op.create_index('ix_ledger_entries_household_period', ['household', 'period', 'rule_code'], unique=False)

    op.create_table('members',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('household', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['household'], ['households.code'], name=op.f('fk_members_household_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members'))
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index('ix_members_account', ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_household'), ['household'], unique=False)

    op.create_table('ledger_steps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_steps_entry_id_ledger_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_steps'))
    )
    with op.batch_alter_table('ledger_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_steps_entry_id'), ['entry_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ledger_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_steps_entry_id'))

    op.drop_table('ledger_steps')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_members_household'))
        batch_op.drop_index('ix_members_account')

    op.drop_table('members')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_household_period')
        batch_op.drop_index('ix_ledger_entries_community_period')

    op.drop_table('ledger_entries')
    op.drop_table('staff_records')
    op.drop_table('rules')
    op.drop_table('payouts')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    op.drop_table('inbox')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_community')

    op.drop_table('households')
    op.drop_table('fund_periods')
