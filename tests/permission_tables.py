"""Every app's permission table, in one list (apps add theirs here)."""

from tests.accounts.permission_table import ROUTES as ACCOUNTS_ROUTES
from tests.archive.permission_table import ROUTES as ARCHIVE_ROUTES
from tests.budgets.permission_table import ROUTES as BUDGETS_ROUTES
from tests.complaints.permission_table import ROUTES as COMPLAINTS_ROUTES
from tests.notifications.permission_table import ROUTES as NOTIFICATIONS_ROUTES
from tests.services.permission_table import ROUTES as SERVICES_ROUTES

ALL_ROUTES = [
    *ACCOUNTS_ROUTES,
    *NOTIFICATIONS_ROUTES,
    *SERVICES_ROUTES,
    *ARCHIVE_ROUTES,
    *BUDGETS_ROUTES,
    *COMPLAINTS_ROUTES,
]
