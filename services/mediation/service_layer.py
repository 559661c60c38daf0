"""Mediation's use cases so far: take note of escalations, once each."""
import logging

log = logging.getLogger(__name__)


def note_escalation(uow, event) -> None:
    """Until reception registers cases (mediation issue), an escalation is acknowledged
    into the inbox so it is neither lost nor handled twice once cases exist."""
    with uow:
        if uow.first_delivery("mediation:report.escalated", event):
            log.info("escalation %s of report %s noted", event.id, event.correlation_id)
        uow.commit()
