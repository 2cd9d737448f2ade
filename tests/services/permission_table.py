"""Permission table of ``services``."""

from accounts.roles import Role  # noqa: F401
from tests.permission_harness import Route  # noqa: F401

ROUTES: list = []
