"""WSGI entry point (gunicorn procurement.wsgi)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")

application = get_wsgi_application()
settings.SECRET_KEY  # noqa: B018 — refuse to serve without a secret key (raises ImproperlyConfigured)
