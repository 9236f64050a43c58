"""System checks of the kernel: a key ring to seal bids with."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

HINT = "Set SEALING_KEYS (see docs/OPERATIONS.md, 'Sealing keys'), or run 'manage.py sealing_keys --create' locally."


@register()
def sealing_keys_configured(app_configs, **kwargs):
    if settings.SEALING_KEYS:
        return []
    return [Warning("No bid sealing key is configured: suppliers cannot submit bids.", hint=HINT, id="core.W001")]


@register(Tags.security, deploy=True)
def sealing_keys_configured_for_deployment(app_configs, **kwargs):
    if settings.SEALING_KEYS:
        return []
    return [Error("No bid sealing key is configured.", hint=HINT, id="core.E001")]
