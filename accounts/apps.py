from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Utenti e ruoli")

    def ready(self) -> None:
        # Every trigger pgtrigger/pghistory compiles from now on cannot be skipped from a
        # session (accounts/triggers.py).
        from accounts import checks, triggers  # noqa: F401 - checks register themselves

        triggers.install()
