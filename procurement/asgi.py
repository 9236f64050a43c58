"""ASGI entry point."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")

application = get_asgi_application()
settings.SECRET_KEY  # noqa: B018 — refuse to serve without a secret key (raises ImproperlyConfigured)
