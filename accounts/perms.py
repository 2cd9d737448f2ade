"""Permission names, defined once (Saleor style) and used by roles, views and templates."""

VIEW_AUDIT_LOG = "accounts.view_audit_log"
VIEW_SYSTEM_STATUS = "accounts.view_system_status"
