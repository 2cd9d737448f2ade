"""Permission names of ``budgets``, defined once."""

VIEW_ALL_BUDGETS = "budgets.view_all_budgets"
BUILD_BUDGETS = "budgets.build_budget"  # Direttore: all services, hour plan and other costs
SUBMIT_BUDGETS = "budgets.submit_budget"
APPROVE_BUDGETS = "budgets.approve_budget"
