"""Django's PostgreSQL backend, connecting as the owner only inside ``roles.as_owner``.

On the embedded default (``EMBEDDED_DATA_DIR`` in the database settings) it also starts or
joins the private PostgreSQL before the first connection: the settings only name its URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db.backends.postgresql import base, client, creation

from segrate_compliance.database import roles


def _ensure_embedded(settings_dict: dict[str, Any]) -> None:
    data_dir = settings_dict.get("EMBEDDED_DATA_DIR")
    if data_dir:
        from segrate_compliance.embedded_db import ensure_attached

        ensure_attached(Path(data_dir))


class DatabaseCreation(creation.DatabaseCreation):
    """Test databases are created, migrated and destroyed by the owner."""

    def create_test_db(self, *args: Any, **kwargs: Any) -> str:
        with roles.as_owner(self.connection):
            return super().create_test_db(*args, **kwargs)

    def destroy_test_db(self, *args: Any, **kwargs: Any) -> None:
        with roles.as_owner(self.connection):
            super().destroy_test_db(*args, **kwargs)


class DatabaseClient(client.DatabaseClient):
    """``manage.py dbshell`` opens no Django connection: start the embedded server first."""

    def runshell(self, parameters: Iterable[str]) -> None:
        _ensure_embedded(self.connection.settings_dict)
        super().runshell(parameters)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    client_class = DatabaseClient

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if roles.owner_mode():
            params.update(roles.owner_credentials())
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        _ensure_embedded(self.settings_dict)
        return super().get_new_connection(conn_params)
