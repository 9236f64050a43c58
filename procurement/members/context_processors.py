def acting(request):
    """``acting``: the organisation the user acts for, their roles and organisations.

    Permission checks in templates use Django's ``perms`` (``{% if perms.membership.decide %}``),
    which asks the role backend.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"acting": user.acting}
