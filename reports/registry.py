"""The reports, by identifier (the names of ``/api/v1/reports/<identifier>/`` and of the pages)."""

from __future__ import annotations

from reports.base import Report
from reports.exporters.annual import AnnualReport
from reports.exporters.consumption import ConsumptionReport
from reports.exporters.register import RegisterReport
from reports.exporters.savings import SavingsReport
from reports.exporters.spend import SpendReport
from reports.exporters.statement import StatementReport
from reports.scope import Viewer

REPORTS: dict[str, Report] = {
    report.identifier: report
    for report in (
        ConsumptionReport(),
        SpendReport(),
        SavingsReport(),
        RegisterReport(),
        StatementReport(),
        AnnualReport(),
    )
}


def reports_for(viewer: Viewer | None) -> list[Report]:
    return [report for report in REPORTS.values() if report.allows(viewer)]


def get(identifier: str) -> Report | None:
    return REPORTS.get(identifier)
