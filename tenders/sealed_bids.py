"""A bid's content, sealed: the only way in and out of ``Bid.sealed``.

A bid's total, price schedule, answers to the quality criteria and attachments are sealed
with AES-GCM (``procurement.core.sealing``), bound to the tender, lot and bid ids. They open
for the bid's own supplier (it may read back what it sent) and, for everybody else
entitled to see the bid, only once the tender's bids have been opened. Attachments are
sealed the same way in file storage under random names.

The deposit receipt is the SHA-256 of what the supplier submitted (with a random salt
inside, so that nobody can find an amount by hashing guesses), stamped with the time.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from procurement.core import sealing
from procurement.core.money import quantize
from tenders.models import Bid

ATTACHMENT_DIR = "bids"


class BidSealed(Exception):
    """The bid is sealed for this reader (before the opening)."""

    def __init__(self):
        super().__init__(_("The bid is sealed until the opening."))


@dataclass(frozen=True)
class ScheduleLine:
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = ""

    @property
    def amount(self) -> Decimal:
        return quantize(self.quantity * self.unit_price)


@dataclass(frozen=True)
class AttachmentRef:
    id: str
    name: str
    sha256: str
    size: int
    content_type: str
    path: str


@dataclass(frozen=True)
class BidContent:
    total_amount: Decimal
    schedule: tuple[ScheduleLine, ...] = ()
    answers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[AttachmentRef, ...] = ()
    salt: str = ""

    def to_json(self) -> dict:
        return {
            "total_amount": str(self.total_amount),
            "schedule": [
                {
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit_price": str(line.unit_price),
                    "unit": line.unit,
                }
                for line in self.schedule
            ],
            "answers": {str(key): value for key, value in self.answers.items()},
            "attachments": [asdict(ref) for ref in self.attachments],
            "salt": self.salt,
        }

    @classmethod
    def from_json(cls, data: dict) -> BidContent:
        return cls(
            total_amount=Decimal(data["total_amount"]),
            schedule=tuple(
                ScheduleLine(
                    description=line["description"],
                    quantity=Decimal(line["quantity"]),
                    unit_price=Decimal(line["unit_price"]),
                    unit=line.get("unit", ""),
                )
                for line in data.get("schedule", ())
            ),
            answers=dict(data.get("answers", {})),
            attachments=tuple(AttachmentRef(**ref) for ref in data.get("attachments", ())),
            salt=data.get("salt", ""),
        )


def new_salt() -> str:
    return secrets.token_hex(16)


def seal(bid: Bid, content: BidContent) -> None:
    """Seal ``content`` onto ``bid`` (already saved: its id is bound in) and compute the receipt."""
    sealed = sealing.seal_json(content.to_json(), associated_data=bid.associated_data)
    bid.sealed = sealed.ciphertext
    bid.sealing_key_id = sealed.key_id
    bid.receipt_digest = receipt_digest(bid, content)


def receipt_digest(bid: Bid, content: BidContent) -> str:
    """SHA-256 of what was deposited: the tender, lot, supplier, time and the salted content."""
    deposit = {
        "tender": bid.tender.reference,
        "lot": bid.lot.number,
        "supplier": bid.supplier.enterprise_number or str(bid.supplier_id),
        "submitted_at": bid.submitted_at.isoformat(),
        "content": content.to_json(),
    }
    return hashlib.sha256(sealing.canonical_json(deposit)).hexdigest()


def may_read(bid: Bid, *, organization_id: int | None) -> bool:
    """Whether a reader acting for ``organization_id`` may read the content of ``bid``."""
    return organization_id == bid.supplier_id or not bid.tender.bids_sealed


def open_content(bid: Bid, *, organization_id: int | None) -> BidContent:
    """The bid's content, for a reader acting for ``organization_id``; ``BidSealed`` if too early."""
    if not may_read(bid, organization_id=organization_id):
        raise BidSealed
    return BidContent.from_json(sealing.unseal_json(bid.sealed_content, associated_data=bid.associated_data))


def open_for_evaluation(bid: Bid) -> BidContent:
    """For the services after the opening (evaluation, records, award)."""
    return open_content(bid, organization_id=None)


def _attachment_data(bid: Bid, attachment_id: str) -> str:
    return f"{bid.associated_data}|attachment:{attachment_id}"


def seal_attachment(bid: Bid, upload) -> AttachmentRef:
    """Seal an uploaded file into storage; its name and checksum live only in the sealed content."""
    upload.seek(0)
    data = upload.read()
    attachment_id = uuid.uuid4().hex
    sealed = sealing.seal_bytes(data, associated_data=_attachment_data(bid, attachment_id))
    blob = sealed.key_id.encode() + b"\n" + sealed.ciphertext
    path = default_storage.save(f"{ATTACHMENT_DIR}/{bid.tender_id}/{attachment_id}.sealed", ContentFile(blob))
    name = (getattr(upload, "name", None) or "attachment").rsplit("/", 1)[-1][:200]
    return AttachmentRef(
        id=attachment_id,
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type=getattr(upload, "content_type", None) or "application/octet-stream",
        path=path,
    )


def open_attachment(bid: Bid, ref: AttachmentRef, *, organization_id: int | None) -> bytes:
    if not may_read(bid, organization_id=organization_id):
        raise BidSealed
    with default_storage.open(ref.path, "rb") as stream:
        blob = stream.read()
    key_id, _, ciphertext = blob.partition(b"\n")
    sealed = sealing.Sealed(key_id=key_id.decode(), ciphertext=ciphertext)
    return sealing.unseal_bytes(sealed, associated_data=_attachment_data(bid, ref.id))


def delete_attachments(refs) -> None:
    for ref in refs:
        if default_storage.exists(ref.path):
            default_storage.delete(ref.path)
