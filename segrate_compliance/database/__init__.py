"""The project's PostgreSQL backend: two database roles (see ``roles``).

``ENGINE = "segrate_compliance.database"`` is Django's PostgreSQL backend plus one thing: the
commands that change the schema (migrate, flush, createcachetable, creating and destroying
test databases) connect as the tables' owner, everything else as the application role.
"""
