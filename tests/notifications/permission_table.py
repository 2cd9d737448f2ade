"""Permission table of ``notifications``: every signed-in person has their own list; someone
else's notification is 404 for everyone, whatever their roles."""

from tests.permission_harness import ALL_ROLES, Route


def _own(user, ctx) -> dict:
    """A notification of ``user`` (cached per user in ``ctx``); anonymous visitors ask for
    the AU's."""
    from accounts.roles import Role
    from tests.factories.notifications import notification_for

    user = user or ctx["users"][Role.AMMINISTRATORE_UNICO]
    key = f"notification_of_{user.pk}"
    if key not in ctx:
        ctx[key] = notification_for(user).pk
    return {"pk": ctx[key]}


def _someone_elses(user, ctx) -> dict:
    """A notification of another person: the AU's, or the Direttore's for the AU."""
    from accounts.roles import Role

    other = ctx["users"][Role.AMMINISTRATORE_UNICO]
    if other == user:
        other = ctx["users"][Role.DIRETTORE]
    return _own(other, ctx)


ROUTES = [
    Route("notifications:notification_list", allowed=ALL_ROLES, any_authenticated=True),
    Route(
        "notifications:notification_open",
        allowed=ALL_ROLES,
        any_authenticated=True,
        ok_status=302,
        kwargs=_own,
        other_object_kwargs=_someone_elses,
        note="marks it read and redirects to its record",
    ),
    Route(
        "notifications:notification_mark_read",
        allowed=ALL_ROLES,
        any_authenticated=True,
        method="post",
        ok_status=302,
        kwargs=_own,
        other_object_kwargs=_someone_elses,
    ),
    Route(
        "notifications:notification_mark_all_read",
        allowed=ALL_ROLES,
        any_authenticated=True,
        method="post",
        ok_status=302,
        note="marks the signed-in person's own only",
    ),
]
