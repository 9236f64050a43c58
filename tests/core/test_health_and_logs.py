"""Probes (``/healthz``, ``/readyz``) and the structured request log."""

from __future__ import annotations

import json
import logging
from unittest import mock

import pytest
import redis
from django.db import OperationalError
from pythonjsonlogger.json import JsonFormatter

from procurement.core import health
from tests.factories import person

pytestmark = pytest.mark.django_db
LIVE_REDIS = "redis://127.0.0.1:6379/15"


def test_healthz_answers_whatever_the_host_and_without_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # as in production

    response = client.get("/healthz", HTTP_HOST="10.0.0.7")  # a load balancer probes by address

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_checks_the_database_and_says_tasks_run_eagerly_without_redis(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/readyz", HTTP_HOST="10.0.0.7")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"].startswith("ok (")
    assert body["checks"]["broker"].startswith("eager (")


def test_readyz_pings_redis_when_it_is_the_broker(client, settings):
    try:
        redis.Redis.from_url(LIVE_REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.REDIS_URL = LIVE_REDIS

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"].startswith("ok (")


def test_readyz_answers_503_naming_the_broker_without_its_address(client, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == "error: ConnectionError"
    assert body["checks"]["database"].startswith("ok (")
    assert "127.0.0.1" not in response.content.decode()
    assert any("readiness check broker failed" in record.getMessage() for record in caplog.records)


def test_readyz_answers_503_when_the_database_does_not(client, settings):
    settings.REDIS_URL = ""
    with mock.patch.object(health, "database", side_effect=OperationalError("connection refused")):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


def test_each_request_is_logged_once_with_who_and_how_long(client, caplog, commune):
    officer = person(commune, "member_officer", username="log-officer")
    client.force_login(officer)

    with caplog.at_level(logging.INFO, logger="procurement.request"):
        response = client.get("/public/?q=papier", HTTP_X_REQUEST_ID="lb-4f2a9c1d")

    [record] = [record for record in caplog.records if record.name == "procurement.request"]
    assert response["X-Request-ID"] == "lb-4f2a9c1d"
    assert record.getMessage() == "GET /public/ 200"  # never the query string
    assert (record.request_id, record.method, record.path, record.status) == ("lb-4f2a9c1d", "GET", "/public/", 200)
    assert (record.user_id, record.organization_id) == (officer.pk, officer.active_organization_id)
    assert record.duration_ms > 0


def test_a_doubtful_request_id_is_replaced_and_probes_are_not_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="procurement.request"):
        response = client.get("/public/", HTTP_X_REQUEST_ID="<script>")
        client.get("/healthz")

    records = [record for record in caplog.records if record.name == "procurement.request"]
    assert len(response["X-Request-ID"]) == 32
    assert [(record.path, record.user_id, record.request_id) for record in records] == [
        ("/public/", None, response["X-Request-ID"])
    ]


def test_production_logs_are_json_lines(settings):
    assert settings.LOGGING["handlers"]["console"]["formatter"] == settings.LOG_FORMAT
    config = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    formatter = JsonFormatter(config.pop("format"), **config)
    record = logging.LogRecord("procurement.request", logging.INFO, __file__, 1, "GET %s %s", ("/public/", 200), None)
    record.status, record.duration_ms = 200, 12.5

    line = json.loads(formatter.format(record))

    assert {key: line[key] for key in ("level", "logger", "message", "status", "duration_ms")} == {
        "level": "INFO",
        "logger": "procurement.request",
        "message": "GET /public/ 200",
        "status": 200,
        "duration_ms": 12.5,
    }
    assert line["time"].endswith("+00:00")  # ISO 8601, UTC
