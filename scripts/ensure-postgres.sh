#!/usr/bin/env bash
# The test suite runs on PostgreSQL. Start the local cluster if it is installed but stopped;
# fail clearly when there is none (set TEST_DB=sqlite to run the SQLite subset instead).
set -euo pipefail
if [ "${TEST_DB:-}" = "sqlite" ]; then
  echo "TEST_DB=sqlite: running on SQLite; PostgreSQL-only tests will be SKIPPED (listed at the end)."
  exit 0
fi
host=127.0.0.1; port=5432
ensure_database() {
  # The settings' default database; pytest-django creates test_<name> beside it.
  if ! psql -h "$host" -p "$port" -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname='alsmis'" | grep -q 1; then
    createdb -h "$host" -p "$port" -U postgres alsmis
  fi
}
if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then ensure_database; exit 0; fi
if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "PostgreSQL is installed but not running: starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && { ensure_database; exit 0; }; sleep 1; done
fi
echo "ERROR: no PostgreSQL reachable on $host:$port. The test suite needs PostgreSQL" >&2
echo "       (trust auth for user postgres), or run 'TEST_DB=sqlite make test' for the SQLite subset." >&2
exit 1
