"""Django's PostgreSQL backend, connecting as the owner only inside ``roles.as_owner``."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base, creation

from segrate_compliance.database import roles


class DatabaseCreation(creation.DatabaseCreation):
    """Test databases are created, migrated and destroyed by the owner."""

    def create_test_db(self, *args: Any, **kwargs: Any) -> str:
        with roles.as_owner(self.connection):
            return super().create_test_db(*args, **kwargs)

    def destroy_test_db(self, *args: Any, **kwargs: Any) -> None:
        with roles.as_owner(self.connection):
            super().destroy_test_db(*args, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if roles.owner_mode():
            params.update(roles.owner_credentials())
        return params
