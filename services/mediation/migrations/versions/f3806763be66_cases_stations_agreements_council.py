"""cases, stations, agreements, council

Revision: f3806763be66 (after a17b753427d4), 2026-11-26 00:18:35.233249
"""
import sqlalchemy as sa
from alembic import op

import shared.db

revision = 'f3806763be66'
down_revision = 'a17b753427d4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_counters',
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('community', 'year', name=op.f('pk_case_counters'))
    )
    op.create_table('cases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('station', sa.String(length=16), nullable=False),
    sa.Column('opened_station', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('close_outcome', sa.String(length=32), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('visitor_name', sa.String(length=100), nullable=True),
    sa.Column('visitor_contact', sa.String(length=32), nullable=True),
    sa.Column('visitor_account', sa.String(length=64), nullable=True),
    sa.Column('grid', sa.String(length=32), nullable=True),
    sa.Column('building', sa.String(length=32), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.Column('report_id', sa.String(length=64), nullable=True),
    sa.Column('task_id', sa.String(length=64), nullable=True),
    sa.Column('handed_report_id', sa.String(length=64), nullable=True),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('due_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('mediation_state', sa.String(length=20), nullable=True),
    sa.Column('mediation_started_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('mediation_failed_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('extended_days', sa.Integer(), nullable=False),
    sa.Column('mediators', sa.JSON(), nullable=False),
    sa.Column('mediators_chosen_by', sa.String(length=16), nullable=True),
    sa.Column('rights_notice_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('rights_notice_by', sa.String(length=100), nullable=True),
    sa.Column('rights_notice_note', sa.Text(), nullable=True),
    sa.Column('resolved_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('resolved_station', sa.String(length=16), nullable=True),
    sa.Column('resolve_seconds', sa.Integer(), nullable=True),
    sa.Column('closed_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('follow_up_satisfied', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('community', 'number', name=op.f('uq_cases_community_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_community_opened', ['community', 'opened_at'], unique=False)
        batch_op.create_index('ix_cases_community_resolved', ['community', 'resolved_at'], unique=False)
        batch_op.create_index('ix_cases_community_status', ['community', 'status', 'station'], unique=False)
        batch_op.create_index('ix_cases_report', ['report_id'], unique=False)

    op.create_table('council_meetings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('held_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=False),
    sa.Column('attendees', sa.JSON(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_meetings'))
    )
    with op.batch_alter_table('council_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_meetings_community'), ['community'], unique=False)

    op.create_table('station_staff',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('station', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_station_staff'))
    )
    with op.batch_alter_table('station_staff', schema=None) as batch_op:
        batch_op.create_index('ix_station_staff_community_station', ['community', 'station'], unique=False)

    op.create_table('agenda_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=True),
    sa.Column('raised_by', sa.String(length=64), nullable=False),
    sa.Column('raised_role', sa.String(length=32), nullable=False),
    sa.Column('raised_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('meeting_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_agenda_items_case_id_cases')),
    sa.ForeignKeyConstraint(['meeting_id'], ['council_meetings.id'], name=op.f('fk_agenda_items_meeting_id_council_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_items_community_status', ['community', 'status'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('responsibilities', sa.Text(), nullable=False),
    sa.Column('drafted_by', sa.String(length=64), nullable=False),
    sa.Column('drafted_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('effective_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('performed_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('judicial_applied_on', sa.Date(), nullable=True),
    sa.Column('judicial_court', sa.String(length=200), nullable=True),
    sa.Column('judicial_decision', sa.String(length=16), nullable=True),
    sa.Column('judicial_decided_on', sa.Date(), nullable=True),
    sa.Column('judicial_note', sa.Text(), nullable=True),
    sa.Column('judicial_recorded_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_agreements_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_case_id'), ['case_id'], unique=False)

    op.create_table('case_steps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('station', sa.String(length=16), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('by_name', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_steps_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_steps'))
    )
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_steps_case_id'), ['case_id'], unique=False)

    op.create_table('consultations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('advice', sa.Text(), nullable=False),
    sa.Column('advisor', sa.String(length=100), nullable=False),
    sa.Column('at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_consultations_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations'))
    )
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_case_id'), ['case_id'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('satisfied', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_follow_ups_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_case_id'), ['case_id'], unique=False)

    op.create_table('mediation_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('held_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('attendees', sa.JSON(), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_mediation_sessions_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_sessions'))
    )
    with op.batch_alter_table('mediation_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_sessions_case_id'), ['case_id'], unique=False)

    op.create_table('parties',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('household', sa.String(length=64), nullable=True),
    sa.Column('account_id', sa.String(length=64), nullable=True),
    sa.Column('consents', sa.Boolean(), nullable=True),
    sa.Column('consent_at', shared.db.UTCDateTime(), nullable=True),
    sa.Column('consent_note', sa.Text(), nullable=True),
    sa.Column('consent_recorded_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_parties_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parties'))
    )
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parties_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parties_case_id'), ['case_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('body', sa.String(length=32), nullable=False),
    sa.Column('body_name', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('routes_explained', sa.JSON(), nullable=False),
    sa.Column('at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_referrals_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_case_id'), ['case_id'], unique=False)

    op.create_table('supervision_orders',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('to', sa.String(length=100), nullable=False),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('issued_by_name', sa.String(length=100), nullable=True),
    sa.Column('issued_at', shared.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_supervision_orders_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_orders'))
    )
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_orders_case_id'), ['case_id'], unique=False)

    op.create_table('council_decisions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('community', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('meeting_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('abstentions', sa.Integer(), nullable=False),
    sa.Column('adopted', sa.Boolean(), nullable=False),
    sa.Column('adopts_rule', sa.JSON(), nullable=True),
    sa.Column('decided_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_council_decisions_item_id_agenda_items')),
    sa.ForeignKeyConstraint(['meeting_id'], ['council_meetings.id'], name=op.f('fk_council_decisions_meeting_id_council_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_decisions')),
    sa.UniqueConstraint('item_id', name=op.f('uq_council_decisions_item_id'))
    )
    with op.batch_alter_table('council_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_council_decisions_community', ['community', 'decided_at'], unique=False)

    op.create_table('obligations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agreement_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.String(length=36), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('how', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=True),
    sa.Column('performance_note', sa.Text(), nullable=True),
    sa.Column('performance_recorded_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_obligations_agreement_id_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligations'))
    )
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obligations_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agreement_id', sa.String(length=36), nullable=False),
    sa.Column('party_id', sa.String(length=36), nullable=True),
    sa.Column('mediator_code', sa.String(length=64), nullable=True),
    sa.Column('signer_name', sa.String(length=100), nullable=False),
    sa.Column('signed_at', shared.db.UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_signatures_agreement_id_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures'))
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_agreement_id'), ['agreement_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_agreement_id'))

    op.drop_table('signatures')
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obligations_agreement_id'))

    op.drop_table('obligations')
    with op.batch_alter_table('council_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_council_decisions_community')

    op.drop_table('council_decisions')
    with op.batch_alter_table('supervision_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_orders_case_id'))

    op.drop_table('supervision_orders')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_case_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parties_case_id'))
        batch_op.drop_index(batch_op.f('ix_parties_account_id'))

    op.drop_table('parties')
    with op.batch_alter_table('mediation_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_sessions_case_id'))

    op.drop_table('mediation_sessions')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_case_id'))

    op.drop_table('follow_ups')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_case_id'))

    op.drop_table('consultations')
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_steps_case_id'))

    op.drop_table('case_steps')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_case_id'))

    op.drop_table('agreements')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_items_community_status')

    op.drop_table('agenda_items')
    with op.batch_alter_table('station_staff', schema=None) as batch_op:
        batch_op.drop_index('ix_station_staff_community_station')

    op.drop_table('station_staff')
    with op.batch_alter_table('council_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_meetings_community'))

    op.drop_table('council_meetings')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_report')
        batch_op.drop_index('ix_cases_community_status')
        batch_op.drop_index('ix_cases_community_resolved')
        batch_op.drop_index('ix_cases_community_opened')

    op.drop_table('cases')
    op.drop_table('case_counters')
