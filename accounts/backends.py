"""Django's model backend, with the user's permissions kept between requests (issue 8).

``get_user`` (called once a request by ``AuthenticationMiddleware``) loads the user and, in the
same query, the version of "who may do what" (``accounts/authz_cache.py``). The model
permissions computed from the user's groups and own grants are then kept by the process under
that version instead of being read again (two queries) on every page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models.expressions import RawSQL

from accounts import authz_cache
from accounts.models import User


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.annotate(
                **{authz_cache.STAMP_ATTRIBUTE: RawSQL(authz_cache.VERSION_SQL, ())}  # noqa: S611 - a constant, no parameters
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj: Any, obj: Any, from_name: str) -> set[str]:
        # As Django's: nothing for inactive, anonymous users or an object (guardian's).
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache_name):
            held = authz_cache.remember(
                user_obj,
                ("model_permissions", from_name),
                lambda: frozenset(
                    super(ModelBackend, self)._get_permissions(user_obj, obj, from_name)
                ),
            )
            setattr(user_obj, cache_name, set(held))
        permissions: set[str] = getattr(user_obj, cache_name)
        return permissions
