#!/usr/bin/env bash
# PostgreSQL from Debian's package: the packaged cluster, listening on localhost only,
# with the role and database of services.env (the role may create the tests' databases).
# Usage: postgres.sh start|stop|log
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
set -a; . "$here/services.env"; set +a
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
[ -n "$cluster" ] || { echo "postgres: no cluster found (is the postgresql package installed?)" >&2; exit 1; }
read -r version name <<<"$cluster"
case "${1:-}" in
  start)
    pg_ctlcluster "$version" "$name" status >/dev/null 2>&1 || pg_ctlcluster "$version" "$name" start
    su postgres -c "psql -q -v ON_ERROR_STOP=1 -p $POSTGRES_PORT" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$POSTGRES_USERNAME') THEN
    CREATE ROLE "$POSTGRES_USERNAME" LOGIN CREATEDB PASSWORD '$POSTGRES_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE "$POSTGRES_DATABASE" OWNER "$POSTGRES_USERNAME"'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$POSTGRES_DATABASE') \gexec
SQL
    ;;
  stop) pg_ctlcluster "$version" "$name" stop || true ;;
  log) echo "/var/log/postgresql/postgresql-$version-$name.log" ;;
  *) echo "usage: $0 start|stop|log" >&2; exit 2 ;;
esac
