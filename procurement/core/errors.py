"""Domain errors: the refusals a service raises, with a message a user can read.

Input errors (a field is wrong) are ``django.core.exceptions.ValidationError`` and become a
400 with field errors; a refused action on a visible object is a ``DomainError`` and becomes
a 409 with ``{"code", "detail"}``; a missing permission is ``PermissionDenied`` (403).
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the operation. Nothing has been written."""

    code = "rule_violation"
    default_message = _("This operation is not allowed.")

    def __init__(self, message=None, *, code: str | None = None):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class TransitionNotAllowed(DomainError):
    """The object's current state does not allow the requested change."""

    code = "transition_not_allowed"
    default_message = _("This change of state is not allowed.")
