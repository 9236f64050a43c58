"""Periodic work of the tenders app (Celery beat; see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from tenders import services


@shared_task
def apply_due_transitions() -> dict[str, int]:
    return services.apply_due_transitions()


@shared_task
def send_expiry_alerts() -> int:
    return services.send_expiry_alerts()
