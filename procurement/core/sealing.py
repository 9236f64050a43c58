"""Sealed storage: authenticated encryption (AES-256-GCM) with a dedicated key ring.

What must stay unreadable until a given moment (a bid's amounts before its opening) is
stored only as ciphertext. The keys come from settings (``SEALING_KEYS``), never from
``SECRET_KEY``: ``{key_id: 32-byte key}``, the first one seals, all of them unseal (so keys
can be rotated). The caller binds the ciphertext to its place with *associated data* (for a
bid: tender, lot and bid ids), so a ciphertext copied onto another row does not open.

Plaintexts are padded to a multiple of ``PADDING`` bytes before sealing: the length of a
ciphertext says nothing about the number of digits of an amount.

A lost key loses what it sealed: see docs/OPERATIONS.md, "Sealing keys".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
KEY_BYTES = 32
PADDING = 512
_VERSION = b"\x01"


class SealingError(Exception):
    """A ciphertext could not be opened: wrong key, wrong associated data, or tampered."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    ciphertext: bytes


def generate_key() -> str:
    """A new key, base64-encoded, for the key ring."""
    return base64.b64encode(AESGCM.generate_key(bit_length=KEY_BYTES * 8)).decode()


def parse_key_ring(text: str) -> dict[str, bytes]:
    """``id:base64key,id2:base64key`` (or one per line) → ``{id: key}``, first one first."""
    ring: dict[str, bytes] = {}
    for entry in text.replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, _, encoded = entry.partition(":")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except ValueError as error:
            raise ImproperlyConfigured(f"sealing key {key_id!r} is not valid base64") from error
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"sealing key {key_id!r} must be {KEY_BYTES} bytes")
        ring[key_id.strip()] = key
    return ring


def read_key_ring_file(path: Path) -> dict[str, bytes]:
    return parse_key_ring(path.read_text(encoding="utf-8")) if path.exists() else {}


def create_key_ring_file(path: Path) -> bool:
    """Write a new key ring file (mode 0600) unless one exists. For development machines."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(
            f"# Bid sealing keys: back this file up; a lost key loses the bids it sealed.\nk1:{generate_key()}\n"
        )
    return True


def key_ring() -> dict[str, bytes]:
    ring = settings.SEALING_KEYS
    if isinstance(ring, str):
        ring = parse_key_ring(ring)
    if not ring:
        raise ImproperlyConfigured(
            "No sealing key: set SEALING_KEYS (see docs/OPERATIONS.md, 'Sealing keys') "
            "or run 'manage.py sealing_keys --create' on a development machine."
        )
    return ring


def _pad(data: bytes) -> bytes:
    length = len(data).to_bytes(4, "big")
    body = length + data
    return body + b"\x00" * (-len(body) % PADDING)


def _unpad(data: bytes) -> bytes:
    length = int.from_bytes(data[:4], "big")
    return data[4 : 4 + length]


def seal_bytes(data: bytes, *, associated_data: str) -> Sealed:
    ring = key_ring()
    key_id, key = next(iter(ring.items()))
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, _pad(data), associated_data.encode())
    return Sealed(key_id=key_id, ciphertext=_VERSION + nonce + ciphertext)


def unseal_bytes(sealed: Sealed, *, associated_data: str) -> bytes:
    ring = key_ring()
    key = ring.get(sealed.key_id)
    if key is None:
        raise SealingError(f"the sealing key {sealed.key_id!r} is not in the key ring")
    blob = bytes(sealed.ciphertext)
    if blob[:1] != _VERSION:
        raise SealingError("unknown sealed format")
    nonce, ciphertext = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return _unpad(AESGCM(key).decrypt(nonce, ciphertext, associated_data.encode()))
    except InvalidTag as error:
        raise SealingError("the sealed content does not open with this key and associated data") from error


def seal_json(value, *, associated_data: str) -> Sealed:
    return seal_bytes(canonical_json(value), associated_data=associated_data)


def unseal_json(sealed: Sealed, *, associated_data: str):
    return json.loads(unseal_bytes(sealed, associated_data=associated_data))


def canonical_json(value) -> bytes:
    """One byte string per value (sorted keys, no spaces): what receipts hash."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def keyed_digest(data: bytes) -> str:
    """HMAC-SHA256 of ``data`` under the sealing key: a fingerprint nobody can recompute from guesses."""
    _key_id, key = next(iter(key_ring().items()))
    return hmac.new(key, data, hashlib.sha256).hexdigest()
