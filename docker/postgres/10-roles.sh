#!/bin/sh
# First start of the compose PostgreSQL: the two roles of docs/security.md. The owner of the
# tables runs migrations (the `migrate` service only); web, worker and beat connect as the
# application role, neither superuser nor owner, so they cannot switch the audit triggers off.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$SEGRATE_OWNER_PASSWORD" -v app_password="$SEGRATE_APP_PASSWORD" <<'SQL'
CREATE ROLE segrate_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE segrate_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE DATABASE segrate OWNER segrate_owner;
SQL
