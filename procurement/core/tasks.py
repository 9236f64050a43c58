"""Background tasks of the kernel."""

from celery import shared_task
from django.core.mail import send_mail


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, subject: str, body: str, recipients: list[str]) -> int:
    """Send one e-mail; retried when the mail server is unreachable."""
    return send_mail(subject, body, None, recipients)


@shared_task
def purge_idempotency_records() -> int:
    """Forget the results of Idempotency-Key requests older than a day."""
    from procurement.core.api.idempotency import purge_expired

    return purge_expired()
