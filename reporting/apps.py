"""Django application configuration for ``reporting``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """PDF rendering, PAdES sealing and signing, signature verification, SVG charts."""

    name = "reporting"
    verbose_name = _("Documenti e reportistica")
