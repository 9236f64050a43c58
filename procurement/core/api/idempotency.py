"""``Idempotency-Key`` on creating POSTs: the same key returns the first result.

A client that lost the answer to a POST (a timeout, a dropped connection) sends it again
with the same key and gets the object created the first time instead of a second one. Only
successful results are remembered, for ``IDEMPOTENCY_TTL``; a key reused with a different
request is refused (422). Concurrent requests with the same key create one object: the
second one's work is rolled back and it answers with the first one's result.
"""

from __future__ import annotations

import datetime
import hashlib

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from procurement.core import sealing
from procurement.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255


class _SameKeyRace(Exception):
    """Another request with the same key committed first: undo ours and replay theirs."""


def _fingerprint(request) -> str:
    parts = [request.method, request.path]
    data = request.data
    items = data.lists() if hasattr(data, "lists") else sorted((data or {}).items())
    for name, values in sorted(items, key=lambda item: item[0]):
        parts.append(name)
        parts.append(repr(values))
    for name, files in sorted(request.FILES.lists()):
        for upload in files:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            parts.append(f"{name}:{digest.hexdigest()}")
    return sealing.keyed_digest("\x1f".join(parts).encode())


class IdempotentCreateMixin:
    """For a viewset: ``self.idempotent(request, perform)`` around the creating work.

    ``perform()`` returns the created object (or a list of them); the response is the
    serializer's representation with 201, and a replay is marked ``Idempotent-Replayed: true``.
    """

    def idempotent(
        self, request, perform, *, status_code: int = status.HTTP_201_CREATED, many: bool | None = None
    ) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return self._idempotent_response(perform(), status_code, many=many)
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError({HEADER: _("At most %(count)s characters.") % {"count": MAX_KEY_LENGTH}})
        scope = f"{self.basename}.{self.action}"
        fingerprint = _fingerprint(request)
        record = self._record(request.user, scope, key)
        if record is not None:
            return self._replay(record, fingerprint, many=many)
        try:
            with transaction.atomic():
                # Claim the key first: a concurrent request with the same key waits here on the
                # unique index until this one commits, then replays its result.
                IdempotencyRecord.objects.filter(
                    user=request.user, scope=scope, key=key, created_at__lt=timezone.now() - IDEMPOTENCY_TTL
                ).delete()
                try:
                    with transaction.atomic():
                        claim = IdempotencyRecord.objects.create(
                            user=request.user, scope=scope, key=key, fingerprint=fingerprint, status_code=status_code
                        )
                except IntegrityError as error:
                    raise _SameKeyRace from error
                created = perform()
                objects = created if isinstance(created, list) else [created]
                claim.content_type = ContentType.objects.get_for_model(objects[0]) if objects else None
                claim.object_ids = [obj.pk for obj in objects]
                claim.save(update_fields=["content_type", "object_ids"])
        except _SameKeyRace:
            return self._replay(self._record(request.user, scope, key), fingerprint, many=many)
        return self._idempotent_response(created, status_code, many=many)

    def _record(self, user, scope, key) -> IdempotencyRecord | None:
        return IdempotencyRecord.objects.filter(
            user=user, scope=scope, key=key, created_at__gte=timezone.now() - IDEMPOTENCY_TTL
        ).first()

    def _idempotent_response(self, created, status_code: int, *, replayed: bool = False, many=None) -> Response:
        many = isinstance(created, list) if many is None else many
        response = Response(self.get_serializer(created, many=many).data, status=status_code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _replay(self, record: IdempotencyRecord, fingerprint: str, *, many: bool | None = None) -> Response:
        if record.fingerprint != fingerprint:
            return Response(
                {
                    "code": "idempotency_key_reused",
                    "detail": _("This Idempotency-Key was used for a different request."),
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        model = record.content_type.model_class() if record.content_type else None
        objects = list(model._default_manager.filter(pk__in=record.object_ids)) if model else []
        objects.sort(key=lambda obj: record.object_ids.index(obj.pk))
        if many is None:
            many = not (len(record.object_ids) == 1 and objects)
        created = objects if many else objects[0]
        return self._idempotent_response(created, record.status_code, replayed=True, many=many)


def purge_expired(now=None) -> int:
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_TTL).delete()
    return deleted
