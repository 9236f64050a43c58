"""``make serve``'s web process, for real: the Procfile's gunicorn command with production
settings (and gunicorn.conf.py's hooks) answers the probes and logs JSON lines."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HONCHO = Path(sys.executable).parent / "honcho"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — a local http URL
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 — a local URL
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_procfile_web_process_serves_the_probes_with_production_settings(tmp_path):
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "procurement.settings",
        "DEBUG": "0",
        "SECRET_KEY": "serve-test-" + "x" * 50,
        "ALLOWED_HOSTS": "achats.imio.example",
        "SEALING_KEYS": "serve:" + "A" * 43 + "=",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    process = subprocess.Popen(  # noqa: S603 — the project's own Procfile
        [str(HONCHO), "start", "-f", str(ROOT / "Procfile"), "web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _headers, body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(
                        "gunicorn did not answer: " + (process.stdout.read() if process.poll() is not None else "")
                    )
                time.sleep(0.2)
        ready = get(f"http://127.0.0.1:{port}/readyz")
        page = get(f"http://127.0.0.1:{port}/public/", Host="achats.imio.example", **{"X-Forwarded-Proto": "https"})
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)

    assert (status, json.loads(body)) == (200, {"status": "ok"})
    # gunicorn.conf.py: the loaded worker's objects are frozen out of the collector's passes
    frozen = re.search(r"Worker ready: (\d+) objects frozen", output)
    assert frozen, output
    assert int(frozen.group(1)) > 50_000
    assert ready[0] == 200
    assert json.loads(ready[2])["checks"]["broker"].startswith("eager")
    # the database has no tables: the page fails, and says so as a JSON log line with its request id
    assert page[0] == 500
    lines = [json.loads(line.split("| ", 1)[1]) for line in output.splitlines() if "| {" in line]
    [logged] = [line for line in lines if line.get("logger") == "procurement.request"]
    assert (logged["path"], logged["status"], logged["level"]) == ("/public/", 500, "ERROR")
    assert logged["request_id"] == page[1]["X-Request-ID"]


def settings_of(**env) -> dict:
    """The production settings as a fresh process reads them from ``env``."""
    code = (
        "import json, procurement.settings as s;"
        "print(json.dumps({'storages': s.STORAGES, 'log_format': s.LOG_FORMAT, "
        "'database': s.DATABASES['default']}, default=str))"
    )
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("S3_", "DEBUG", "LOG_FORMAT", "DATABASE_SERVER_SIDE_BINDING"))
    }
    result = subprocess.run(  # noqa: S603 — this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base | {"SECRET_KEY": "x" * 50} | env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_uploaded_files_go_to_a_private_bucket_when_one_is_configured():
    local = settings_of()
    bucket = settings_of(S3_BUCKET="imio-achats", S3_ENDPOINT_URL="https://s3.example.be", S3_PREFIX="prod")

    assert local["storages"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert local["log_format"] == "json"  # DEBUG off: production
    default = bucket["storages"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert {key: default["OPTIONS"][key] for key in ("bucket_name", "endpoint_url", "location", "default_acl")} == {
        "bucket_name": "imio-achats",
        "endpoint_url": "https://s3.example.be",
        "location": "prod",
        "default_acl": "private",
    }
    assert default["OPTIONS"]["querystring_auth"] is True


def test_postgresql_prepares_statements_only_when_asked_to():
    url = "postgres://procurement@db.internal:5432/procurement"

    default = settings_of(DATABASE_URL=url)["database"]
    prepared = settings_of(DATABASE_URL=url, DATABASE_SERVER_SIDE_BINDING="1")["database"]
    sqlite = settings_of(DATABASE_URL="sqlite:///tmp/x.sqlite3", DATABASE_SERVER_SIDE_BINDING="1")["database"]

    assert default["OPTIONS"] == {"options": "-c jit=off"}  # Django's default: no prepared statement
    assert default["CONN_MAX_AGE"] == 600  # persistent connections
    assert prepared["OPTIONS"] == {"options": "-c jit=off", "server_side_binding": True, "prepare_threshold": 5}
    assert "server_side_binding" not in sqlite["OPTIONS"]
