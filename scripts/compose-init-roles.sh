#!/bin/sh
# Run once by the postgis image when it creates the database (docker-entrypoint-initdb.d):
# the API's least-privilege role. `watershed db upgrade` (as the owner, POSTGRES_USER) grants
# it what it needs after every migration (layers/migrate.py grant_app_role): no superuser,
# no DDL, audit_log INSERT-only. And the OGC API's (tipg) read-only role: SELECT on the
# published layer tables only (grant_ogc_role).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$WATERSHED_APP_PASSWORD" -v ogc_password="$WATERSHED_OGC_PASSWORD" <<'SQL'
CREATE ROLE watershed_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
  PASSWORD :'app_password';
CREATE ROLE watershed_ogc LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
  PASSWORD :'ogc_password';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
