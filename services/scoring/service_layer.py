"""Scoring's use cases so far: take note of closed reports and resolved tasks, once each."""
import logging

log = logging.getLogger(__name__)


def note_event(uow, event) -> None:
    """Until the ledger exists (civility points issue), each event is acknowledged into
    the inbox: the record of what scoring has seen, and its guard against doubles."""
    with uow:
        if uow.first_delivery(f"scoring:{event.type}", event):
            log.info("%s %s for %s noted", event.type, event.id, event.correlation_id)
        uow.commit()
