"""Model fields shared by the apps (money fields live in ``money.py``)."""

from django.db import models


class HttpsURLField(models.URLField):
    """A URL; typed without a scheme it is taken as https (Django 6's default, already)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
