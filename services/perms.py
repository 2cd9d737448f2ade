"""Permission names of ``services``, defined once."""

VIEW_ALL_SERVICES = "services.view_all_services"
MANAGE_ALL_SERVICES = "services.manage_all_services"
VIEW_EMERGENCIES = "services.view_emergency"
MANAGE_EMERGENCIES = "services.change_emergency"
ISSUE_STATEMENTS = "services.issue_statement"
VIEW_STATEMENTS = "services.view_statement"
# Object permissions on a Service, granted by assignments (django-guardian).
OBJ_VIEW = "view_service"
OBJ_CHANGE = "change_service"
