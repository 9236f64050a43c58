"""One structured log line per request: what was asked, by whom, how it ended, how long it took.

Each request carries an id: the ``X-Request-ID`` a proxy sent (when it looks like one), or a
new one; it goes back in the response's ``X-Request-ID`` and in the log line, so that a
user's complaint, the load balancer's log and this log meet. Query strings are left out
(they may hold search words or tokens); so are the health probes.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

logger = logging.getLogger("procurement.request")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id(request) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request_id(request)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        user = getattr(request, "user", None)
        authenticated = bool(user is not None and user.is_authenticated)
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request.id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if authenticated else None,
                "organization_id": getattr(user, "active_organization_id", None) if authenticated else None,
            },
        )
        return response
