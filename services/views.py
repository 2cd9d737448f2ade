"""Pages of ``services``."""
