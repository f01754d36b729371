#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store tests.
#
#   eval "$(scripts/pg-test-server.sh start /tmp/koban-pg --export)"  # sets KOBAN_TEST_PG
#   build/tests/store/store_test
#   scripts/pg-test-server.sh stop /tmp/koban-pg
#
# `start DIR` initdb's a cluster into DIR, starts it on 127.0.0.1 on a free port with fsync off
# (test data is disposable, speed matters), creates the database koban_test and prints
# `KOBAN_TEST_PG='host=127.0.0.1 port=N dbname=koban_test user=U'` (quoted so that it can
# be eval'ed; with --export: `export KOBAN_TEST_PG='...'`). DIR may exist if empty (mktemp -d).
# PostgreSQL refuses to run as root, so as root the cluster belongs to the system user
# `kobanpg`, created on first use. `stop DIR` stops the server and removes DIR.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
if [[ -z "${PGBIN}" || ! -x "${PGBIN}/initdb" ]]; then
  echo "pg-test-server: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

usage() {
  echo "usage: $0 start DIR [--export] | stop DIR" >&2
  exit 2
}

# Runs a command as the cluster owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u kobanpg -- "$@"
  else
    "$@"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
  else
    echo $((20000 + RANDOM % 40000))
  fi
}

cmd=${1:-}
dir=${2:-}
[[ -n "${cmd}" && -n "${dir}" ]] || usage

case "${cmd}" in
  start)
    export_line=0
    [[ "${3:-}" == "--export" ]] && export_line=1
    if [[ -e "${dir}" && -n "$(ls -A "${dir}" 2>/dev/null)" ]]; then
      echo "pg-test-server: ${dir} exists and is not empty" >&2
      exit 1
    fi
    mkdir -p "${dir}"
    dir=$(cd "${dir}" && pwd)
    user=$(id -un)
    if [[ $(id -u) -eq 0 ]]; then
      if ! id kobanpg >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin kobanpg
      fi
      user=kobanpg
      chown kobanpg "${dir}"
      # The owner must be able to reach DIR through its parents (e.g. /tmp/x/y).
      p=$(dirname "${dir}")
      while [[ "${p}" != "/" ]]; do
        if ! runuser -u kobanpg -- test -x "${p}"; then
          echo "pg-test-server: kobanpg cannot enter ${p}; use a DIR under /tmp" >&2
          exit 1
        fi
        p=$(dirname "${p}")
      done
    fi
    as_owner "${PGBIN}/initdb" -D "${dir}/data" -U "${user}" --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"${dir}/initdb.log" 2>&1 || {
      cat "${dir}/initdb.log" >&2
      exit 1
    }
    started=0
    for _ in 1 2 3 4 5; do
      port=$(free_port)
      if as_owner "${PGBIN}/pg_ctl" -D "${dir}/data" -l "${dir}/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        >/dev/null 2>&1; then
        started=1
        break
      fi
    done
    if [[ ${started} -ne 1 ]]; then
      echo "pg-test-server: server did not start, see ${dir}/server.log" >&2
      tail -n 20 "${dir}/server.log" >&2 || true
      exit 1
    fi
    as_owner "${PGBIN}/createdb" -h 127.0.0.1 -p "${port}" -U "${user}" koban_test
    echo "${port}" >"${dir}/port"
    line="host=127.0.0.1 port=${port} dbname=koban_test user=${user}"
    if [[ ${export_line} -eq 1 ]]; then
      echo "export KOBAN_TEST_PG='${line}'"
    else
      echo "KOBAN_TEST_PG='${line}'"
    fi
    ;;
  stop)
    if [[ -d "${dir}/data" ]]; then
      as_owner "${PGBIN}/pg_ctl" -D "${dir}/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    # Only remove what start created: refuse anything that does not look like our cluster.
    if [[ -d "${dir}" ]]; then
      if [[ -f "${dir}/data/PG_VERSION" || -f "${dir}/initdb.log" ]]; then
        rm -rf "${dir}"
      else
        echo "pg-test-server: ${dir} does not look like a test cluster; not removing" >&2
        exit 1
      fi
    fi
    ;;
  *)
    usage
    ;;
esac
