from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Budget")

    def ready(self) -> None:
        # Delivered hours (``services``, a lower floor) are compared with the budget's hour
        # plan: ``services`` cannot import us, so we hand it the plan.
        from budgets.selectors import monthly_hour_plan
        from services import plans

        plans.register(monthly_hour_plan)
