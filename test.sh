#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs and starts what the tests need, then builds and tests.
# Kafka is librdkafka's mock cluster and Braze/catalog are local HTTP servers (both inside the tests); SQLite is
# embedded; PostgreSQL comes from Debian's packages and is started here when none is running; Prometheus (the
# server and promtool, for the alert rules and the live alert test) comes from Debian's packages too.
set -euo pipefail
cd "$(dirname "$0")"
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  echo "Installing Prometheus and promtool (Debian package prometheus)…"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The package enables a server on :9090; the tests start their own on free ports and need none running.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $sudo_cmd systemctl disable --now prometheus >/dev/null 2>&1 || true
  else
    $sudo_cmd service prometheus stop >/dev/null 2>&1 || true
  fi
fi

export CRM_TEST_POSTGRES="${CRM_TEST_POSTGRES:-Host=127.0.0.1;Port=5432;Username=crm;Password=crm;Database=crm}"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "Installing PostgreSQL (Debian package postgresql)…"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >/dev/null
  pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
# A role and database for the tests (idempotent).
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='crm'\" | grep -q 1 || psql -q -c \"CREATE ROLE crm LOGIN SUPERUSER PASSWORD 'crm'\"" 
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='crm'\" | grep -q 1 || createdb -O crm crm"

# Each test project's output is printed when it ends, so a failure can sit far above the last lines: repeat every
# failed test with its message and stack at the very end.
log=$(mktemp)
status=0
dotnet test Crm.Actors.sln --configuration Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "==== the failed tests again (dotnet test exited $status) ===="
  grep -E -A25 '^\s+Failed [A-Za-z]' "$log" | grep -v -E '^\s+Passed ' || echo "(no failed test was printed: see the build or test host output above)"
fi
rm -f "$log"
exit "$status"
