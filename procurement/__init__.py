"""IMIO central purchasing platform: the Django project package."""

from procurement.celery import app as celery_app

__all__ = ("celery_app",)
