"""Every change of state of surveys, tenders, bids and agreements goes through these functions.

Each checks the rule and who acts, runs in a transaction and writes the audit trail.
Time-driven transitions (a deadline passed, an end date passed) are applied by
``apply_due_transitions`` (periodic) and by each service before it acts.
"""

from tenders.services.agreements import (
    AGREEMENT_STATES,
    advance_agreement,
    agreement_modify,
    agreement_substitute_supplier,
    agreement_terminate,
    expire_due_agreements,
    latest_end_date,
    send_expiry_alerts,
    tender_conclude,
)
from tenders.services.bids import BID_STATES, bid_record, bid_replace, bid_submit, bid_withdraw, tender_open_bids
from tenders.services.evaluation import (
    bid_exclude,
    bid_reinstate,
    bid_score,
    lot_results,
    tender_award,
    tender_evaluate,
)
from tenders.services.surveys import (
    SURVEY_STATES,
    close_due_surveys,
    survey_close,
    survey_create,
    survey_declare,
    survey_open,
    survey_update,
)
from tenders.services.tenders import (
    LOT_STATES,
    TENDER_STATES,
    advance_tender,
    close_due_tenders,
    publication_problems,
    question_answer,
    question_ask,
    tender_add_document,
    tender_cancel,
    tender_create,
    tender_publish,
    tender_update,
)


def apply_due_transitions(now=None) -> dict[str, int]:
    """Surveys past their closing date close, tenders past their deadline close to bids,
    agreements past their end date expire."""
    return {
        "surveys_closed": close_due_surveys(now),
        "tenders_closed": close_due_tenders(now),
        "agreements_expired": expire_due_agreements(now.date() if now else None),
    }


__all__ = [
    "AGREEMENT_STATES",
    "BID_STATES",
    "LOT_STATES",
    "SURVEY_STATES",
    "TENDER_STATES",
    "advance_agreement",
    "advance_tender",
    "agreement_modify",
    "agreement_substitute_supplier",
    "agreement_terminate",
    "apply_due_transitions",
    "bid_exclude",
    "bid_record",
    "bid_reinstate",
    "bid_replace",
    "bid_score",
    "bid_submit",
    "bid_withdraw",
    "close_due_surveys",
    "close_due_tenders",
    "expire_due_agreements",
    "latest_end_date",
    "lot_results",
    "publication_problems",
    "question_answer",
    "question_ask",
    "send_expiry_alerts",
    "survey_close",
    "survey_create",
    "survey_declare",
    "survey_open",
    "survey_update",
    "tender_add_document",
    "tender_award",
    "tender_cancel",
    "tender_conclude",
    "tender_create",
    "tender_evaluate",
    "tender_open_bids",
    "tender_publish",
    "tender_update",
]
