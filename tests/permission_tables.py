"""Every app's permission table, in one list (apps add theirs here)."""

from tests.accounts.permission_table import ROUTES as ACCOUNTS_ROUTES

ALL_ROUTES = [*ACCOUNTS_ROUTES]
