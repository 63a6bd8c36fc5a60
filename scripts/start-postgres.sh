#!/usr/bin/env bash
# Start Debian's PostgreSQL on loopback with a UTF-8 cluster and a `dangjian` role that may create
# test databases. Idempotent; used by CI and by `make bench` on PostgreSQL.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster --locale C.UTF-8 --encoding UTF8 "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  su postgres -c "psql -tAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
if [ "$(su postgres -c "psql -tAc 'show server_encoding'")" != "UTF8" ]; then
  # A cluster made with an ASCII locale cannot hold Chinese text: recreate it as UTF-8.
  pg_dropcluster --stop "$version" main
  pg_createcluster --locale C.UTF-8 --encoding UTF8 "$version" main >/dev/null
  pg_ctlcluster "$version" main start
fi
su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='dangjian'\"" | grep -q 1 || \
  su postgres -c "psql -qc \"CREATE ROLE dangjian LOGIN CREATEDB PASSWORD 'dangjian'\""
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='dangjian'\"" | grep -q 1 || \
  su postgres -c "createdb -O dangjian -E UTF8 -T template0 dangjian"
echo "PostgreSQL $version is running on 127.0.0.1:5432"
