"""Pages of ``budgets``."""
