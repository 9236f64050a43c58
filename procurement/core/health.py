"""Health checks for load balancers and orchestrators, answered before anything else.

- ``/healthz``: the process is up and answers (no database, no broker): restart it if not.
- ``/readyz``: it can serve: the database answers ``SELECT 1`` and, when ``REDIS_URL`` is set,
  the broker answers ``PING``; 503 with the failing check otherwise (take it out of rotation).

They sit in a middleware at the top of the stack, so that a probe works whatever ``Host`` it
sends (load balancers probe by IP address, which ``ALLOWED_HOSTS`` would refuse), without
HTTPS redirection, sessions or language negotiation, and leaves no log line per probe.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

PATHS = frozenset({"/healthz", "/readyz"})
logger = logging.getLogger(__name__)


def database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def broker() -> str:
    """``ok`` when Redis answers; ``eager`` when there is none (tasks run in the web process)."""
    if not settings.REDIS_URL:
        return "eager"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def readiness() -> tuple[bool, dict[str, str]]:
    checks: dict[str, str] = {}
    ready = True
    for name, check in (("database", database), ("broker", broker)):
        started = time.perf_counter()
        try:
            outcome = check() or "ok"
        except Exception as error:
            ready = False
            checks[name] = f"error: {type(error).__name__}"  # the details (hosts…) go to the log only
            logger.warning("readiness check %s failed: %s", name, error)
        else:
            checks[name] = f"{outcome} ({(time.perf_counter() - started) * 1000:.0f} ms)"
    return ready, checks


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in PATHS or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if request.path == "/healthz":
            response = JsonResponse({"status": "ok"})
        else:
            ready, checks = readiness()
            status = "ok" if ready else "unavailable"
            response = JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)
        response["Cache-Control"] = "no-store"
        return response
