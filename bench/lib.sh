# Shared helpers for bench/*.sh (sourced). Benchmarks compare koban with a peer in the same run;
# each script ends with one line `ratio: X` (koban ÷ peer, higher is better).

bench_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# Installs Debian packages that are missing (the peers: nginx, wrk, postfix ...).
bench_need() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# A free TCP port on 127.0.0.1.
bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until http://127.0.0.1:PORT/PATH answers (at most 10 s).
bench_wait_http() {
  local port=$1 path=${2:-/}
  for _ in $(seq 1 200); do
    curl -fs -o /dev/null "http://127.0.0.1:$port$path" && return 0
    sleep 0.05
  done
  echo "server on port $port did not come up" >&2
  return 1
}

# Builds the Release koban if needed and prints its path.
bench_koban() {
  local root; root=$(bench_root)
  (cd "$root" && scripts/install-deps.sh >/dev/null && scripts/build.sh release >/dev/null) || return 1
  echo "$root/build/release/src/app/koban"
}
