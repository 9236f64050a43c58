"""What the audit trail's actions and objects are called, declared by each app.

The kernel keeps the catalogue; each app adds its families of actions and the models people
may filter the trail on from its ``AppConfig.ready()`` — so the pages of one app (the audit
trail lives with members) can name the actions of the apps above it without importing them.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

# prefix ("tender.") → (family label, {action: label})
ACTION_FAMILIES: dict[str, tuple[object, dict[str, object]]] = {}
# key ("tender") → model
AUDITED_MODELS: dict[str, type[models.Model]] = {}


def register(
    prefix: str,
    family: object,
    actions: Mapping[str, object],
    *,
    models_by_key: Mapping[str, type[models.Model]] | None = None,
) -> None:
    ACTION_FAMILIES[prefix] = (family, dict(actions))
    AUDITED_MODELS.update(models_by_key or {})


def action_label(action: str) -> object:
    for _family, actions in ACTION_FAMILIES.values():
        if action in actions:
            return actions[action]
    return action
