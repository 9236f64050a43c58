"""The Celery application.

With ``REDIS_URL`` set, tasks go to Redis and run in a worker; without it (the embedded
default) they run eagerly in the calling process. See ``CELERY_*`` in the settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")

app = Celery("procurement")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
