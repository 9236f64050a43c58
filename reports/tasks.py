"""Background work of the reports: building large exports, forgetting expired ones."""

from celery import shared_task

from reports import services


@shared_task
def build_export(export_id: str) -> str:
    return services.export_build(export_id).status


@shared_task
def purge_expired_exports() -> int:
    return services.exports_purge()
