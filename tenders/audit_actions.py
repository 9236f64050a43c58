"""The tenders app's actions in the audit trail, with their labels."""

from django.utils.translation import gettext_lazy as _

from procurement.core import audit_catalog

FAMILIES = {
    "survey.": (
        _("Needs surveys"),
        {
            "survey.created": _("Survey prepared"),
            "survey.updated": _("Survey changed"),
            "survey.opened": _("Survey opened"),
            "survey.declared": _("Needs declared"),
            "survey.closed": _("Survey closed"),
        },
    ),
    "tender.": (
        _("Tenders"),
        {
            "tender.created": _("Tender drafted"),
            "tender.updated": _("Draft changed"),
            "tender.survey_carried": _("Survey totals carried into the lots"),
            "tender.document_added": _("Document attached"),
            "tender.published": _("Published"),
            "tender.bids_closed": _("Submission deadline passed"),
            "tender.opened": _("Bids opened"),
            "tender.opening_record": _("Opening record kept"),
            "tender.evaluated": _("Bids evaluated"),
            "tender.unsuccessful": _("Unsuccessful"),
            "tender.awarded": _("Award decision"),
            "tender.concluded": _("Agreements concluded"),
            "tender.cancelled": _("Cancelled"),
        },
    ),
    "lot.": (
        _("Lots"),
        {
            "lot.awarded": _("Lot awarded"),
            "lot.unsuccessful": _("Lot unsuccessful"),
            "lot.reactivated": _("Lot open again to the award"),
            "lot.cancelled": _("Lot cancelled"),
        },
    ),
    "question.": (
        _("Questions"),
        {
            "question.asked": _("Question asked"),
            "question.answered": _("Question answered"),
        },
    ),
    "bid.": (
        _("Bids"),
        {
            "bid.submitted": _("Bid submitted"),
            "bid.replaced": _("Bid replaced"),
            "bid.withdrawn": _("Bid withdrawn"),
            "bid.resubmitted": _("Bid submitted again"),
            "bid.recorded": _("Bid recorded from e-Tendering"),
            "bid.opened": _("Bid opened"),
            "bid.scored": _("Quality points entered"),
            "bid.evaluated": _("Bid evaluated"),
            "bid.excluded": _("Bid excluded"),
            "bid.reinstated": _("Bid reinstated"),
            "bid.awarded": _("Bid awarded"),
            "bid.not_awarded": _("Bid not awarded"),
        },
    ),
    "agreement.": (
        _("Framework agreements"),
        {
            "agreement.concluded": _("Agreement concluded"),
            "agreement.amended.modification": _("Modification"),
            "agreement.amended.end_date": _("End date moved"),
            "agreement.amended.supplier_substitution": _("Supplier substituted"),
            "agreement.exhausted": _("Maximum reached"),
            "agreement.reopened": _("Open again to orders"),
            "agreement.expired": _("Expired"),
            "agreement.terminated": _("Terminated"),
            "agreement.expiry_alert": _("Expiry alert sent"),
            "agreement.consumption_alert": _("Consumption alert sent"),
        },
    ),
}


def register() -> None:
    from tenders.models import Bid, FrameworkAgreement, NeedsSurvey, Tender

    models_by_key = {"survey": NeedsSurvey, "tender": Tender, "bid": Bid, "agreement": FrameworkAgreement}
    for prefix, (family, actions) in FAMILIES.items():
        audit_catalog.register(prefix, family, actions, models_by_key=models_by_key)
