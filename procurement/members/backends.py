"""Authentication backend that answers ``user.has_perm()`` from roles.

``user.has_perm(Perm.MEMBERSHIP_DECIDE)`` is true when one of the user's roles in the active
organisation grants it. Platform administrators (role ``admin`` in the central purchasing
body, with ``is_staff``) also hold the Django model permissions the admin site asks for.
"""

from django.contrib.auth.backends import ModelBackend

from procurement.core.permissions import Perm

ROLE_PERMISSION_NAMES = frozenset(Perm)


class RoleBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        acting = user_obj.acting
        if perm in acting.permissions:
            return True
        if perm not in ROLE_PERMISSION_NAMES and user_obj.is_staff and acting.is_platform_admin:
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and user_obj.is_staff and user_obj.acting.is_platform_admin:
            return True
        return super().has_module_perms(user_obj, app_label)
