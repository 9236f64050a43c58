"""Permission by declared need.

An endpoint declares what it needs per action in ``permission_map`` (a ``Perm``, a tuple
of which any one suffices, or ``AUTHENTICATED``); the selectors behind ``get_queryset()`` decide which objects are
visible. Status codes follow API.md: 401 anonymous, 404 not visible (another
organisation's object), 403 visible but not allowed, 409 refused by a business rule,
400 invalid input.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import permissions

AUTHENTICATED = "authenticated"


class RolePermission(permissions.BasePermission):
    """Signed in, and holding the permission the view declares for the current action."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        needed = self.needed(request, view)
        if needed == AUTHENTICATED or any(user.has_perm(perm) for perm in needed):
            return True
        self.raise_404_if_invisible(view)
        return False

    @staticmethod
    def needed(request, view) -> str | tuple[str, ...]:
        """``AUTHENTICATED``, or the permissions of which one suffices."""
        action = getattr(view, "action", None) or request.method.lower()
        if action == "metadata":
            return AUTHENTICATED
        permission_map = getattr(view, "permission_map", None)
        if permission_map is None or action not in permission_map:
            raise ImproperlyConfigured(f"{type(view).__name__} declares no permission for {action!r}")
        needed = permission_map[action]
        if needed == AUTHENTICATED:
            return AUTHENTICATED
        return (needed,) if isinstance(needed, str) else tuple(needed)

    @staticmethod
    def raise_404_if_invisible(view) -> None:
        """Another organisation's object answers 404 even when the action is forbidden."""
        if not getattr(view, "detail", False):
            return
        lookup_url_kwarg = view.lookup_url_kwarg or view.lookup_field
        if lookup_url_kwarg not in view.kwargs:
            return
        lookup = {view.lookup_field: view.kwargs[lookup_url_kwarg]}
        try:
            visible = view.get_queryset().filter(**lookup).exists()
        except (ValueError, DjangoValidationError):
            visible = False
        if not visible:
            raise Http404
