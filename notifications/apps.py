from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Tell a person that something waits for them: in the app and by e-mail (ground floor)."""

    name = "notifications"
    verbose_name = _("Notifiche")
