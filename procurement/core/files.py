"""Uploaded documents: what is accepted, and their fingerprint."""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_SIZE = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def sha256_of(document: File) -> str:
    digest = hashlib.sha256()
    document.seek(0)
    for chunk in document.chunks():
        digest.update(chunk)
    document.seek(0)
    return digest.hexdigest()


def validate_pdf(document: File) -> None:
    """A signed document must be a PDF of reasonable size."""
    if document.size is not None and document.size > MAX_DOCUMENT_SIZE:
        raise ValidationError(
            _("The document is too large (%(size)s MB; at most %(max)s MB)."),
            code="too_large",
            params={"size": round(document.size / 1024 / 1024, 1), "max": MAX_DOCUMENT_SIZE // 1024 // 1024},
        )
    document.seek(0)
    head = document.read(len(PDF_MAGIC))
    document.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError(_("The document must be a PDF file."), code="not_pdf")
