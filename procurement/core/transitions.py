"""State machines: one transitions table per model and one function that applies it.

Usage in a service, inside ``transaction.atomic()`` and after locking the row::

    MEMBERSHIP_STATES = StateMachine(
        transitions={REQUESTED: {ACTIVE, TERMINATED}, ...},
        action_prefix="membership",
    )
    MEMBERSHIP_STATES.apply(membership, to=ACTIVE, actor=user, changes={...}, organizations=[...])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.core import audit
from procurement.core.errors import TransitionNotAllowed


@dataclass(frozen=True)
class StateMachine:
    transitions: Mapping[str, Iterable[str]]
    action_prefix: str
    state_field: str = "status"
    labels: Mapping[str, Any] = field(default_factory=dict)

    def allowed(self, current: str) -> frozenset[str]:
        return frozenset(self.transitions.get(current, ()))

    def can(self, instance: models.Model, to: str) -> bool:
        return to in self.allowed(getattr(instance, self.state_field))

    def check(self, instance: models.Model, to: str) -> None:
        current = getattr(instance, self.state_field)
        if to not in self.allowed(current):
            raise TransitionNotAllowed(
                _("%(object)s cannot go from “%(current)s” to “%(target)s”.")
                % {"object": instance, "current": self._label(current), "target": self._label(to)}
            )

    def apply(
        self,
        instance: models.Model,
        *,
        to: str,
        actor,
        verb: str,
        changes: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        organizations: Iterable[int | None] = (),
        before: Mapping[str, Any] | None = None,
    ) -> models.Model:
        """Check the transition, validate the changed fields, save them only, write the audit entry.

        The fields left as they are were validated when they were written: their checks (a
        foreign key's row, a unique value) are not run again. Constraints that also read them
        stay the database's to enforce.

        ``before`` gives the earlier values of fields the caller had to set on the instance
        already (a file stored before the transition); the others are read from the instance.
        """
        self.check(instance, to)
        changed = {self.state_field: to, **(changes or {})}
        before = {**audit.snapshot(instance, changed), **(before or {})}
        for name, value in changed.items():
            setattr(instance, name, value)
        instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in changed])
        instance.save(update_fields=list(changed))
        audit.record(
            actor=actor,
            action=f"{self.action_prefix}.{verb}",
            target=instance,
            before=before,
            after=audit.snapshot(instance, changed),
            data=data,
            organizations=organizations,
        )
        return instance

    def _label(self, state: str) -> Any:
        return self.labels.get(state, state)
