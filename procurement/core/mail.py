"""E-mails leave after the transaction commits, through the background queue."""

from django.db import transaction
from django.template.loader import render_to_string

from procurement.core.tasks import send_email


def send_after_commit(*, template: str, context: dict, recipients: list[str]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` now; send after commit."""
    if not recipients:
        return
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    transaction.on_commit(lambda: send_email.delay(subject=subject, body=body, recipients=list(recipients)))
