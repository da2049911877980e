#!/usr/bin/env bash
# What the full test tier needs from the machine besides npm packages, set up when missing (run by
# `npm test`; `--tier unit` needs none of it). Nothing here fails the run: a test that finds its
# service missing fails itself, saying how to get it, and never skips.
set -uo pipefail
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

# The dashboard's browser tests drive Debian's Chromium (apps/server/test/browser).
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium for the browser tests"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium ||
    echo "*** chromium could not be installed: the browser tests will fail ***"
fi

# The OS sandbox around agents and project commands: bubblewrap and socat (libs/sandbox).
if ! command -v bwrap >/dev/null 2>&1 || ! command -v socat >/dev/null 2>&1; then
  echo "installing bubblewrap and socat for the sandbox"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q bubblewrap socat ||
    echo "*** bubblewrap/socat could not be installed: the sandbox tests will fail ***"
fi

# The PostgreSQL tests (every store on both engines, fleet mode) use the machine's server on
# 127.0.0.1:5432 (trust auth, user postgres, database test).
if ! pg_isready -q -h 127.0.0.1 2>/dev/null && [ -d /etc/postgresql ]; then
  echo "starting PostgreSQL for the tests"
  $sudo pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
fi
if pg_isready -q -h 127.0.0.1 2>/dev/null; then
  psql -h 127.0.0.1 -U postgres -d test -Atc 'SELECT version()' || true
else
  echo "*** PostgreSQL is not running on 127.0.0.1:5432: its tests will fail. Start it with"
  echo "***   pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
fi
exit 0
