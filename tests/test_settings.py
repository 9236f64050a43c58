import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    ignored = {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "SEALING_KEYS", "SEALING_KEYS_FILE"}
    clean_env = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run(  # noqa: S603 — our own interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=ROOT, env={**clean_env, **env}, capture_output=True, text=True, timeout=60
    )


def test_the_application_refuses_to_serve_without_a_secret_key_when_debug_is_off():
    result = run_python("import procurement.wsgi", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_management_commands_that_sign_nothing_run_without_a_secret_key():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='procurement.settings'; django.setup();"
        "from django.conf import settings; print(settings.DEBUG, settings.DATABASES['default']['CONN_MAX_AGE'])",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "600"]


def test_production_settings_pass_the_deployment_checks():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DEBUG="0",
        SECRET_KEY="a-long-random-secret-for-the-test-" + "x" * 40,
        ALLOWED_HOSTS="achats.imio.example",
        SEALING_KEYS="prod:" + base64.b64encode(bytes(range(32))).decode(),
        DJANGO_SETTINGS_MODULE="procurement.settings",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_run_without_a_sealing_key(tmp_path):
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy'])",
        DEBUG="0",
        SECRET_KEY="a-long-random-secret-for-the-test-" + "x" * 40,
        ALLOWED_HOSTS="achats.imio.example",
        SEALING_KEYS_FILE=str(tmp_path / "absent.keys"),
        DJANGO_SETTINGS_MODULE="procurement.settings",
    )
    assert result.returncode != 0
    assert "core.E001" in result.stderr + result.stdout


@pytest.mark.django_db
def test_pages_speak_french_whatever_the_browser_says(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in response.content.decode()


@pytest.mark.django_db
def test_the_chosen_language_is_kept_in_a_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.get("/accounts/login/")["Content-Language"] == "nl"


@pytest.mark.django_db
def test_the_api_follows_accept_language(client):
    assert client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="de")["Content-Language"] == "de"
    assert client.get("/api/v1/me/")["Content-Language"] == "fr"
