#!/usr/bin/env bash
# kill -9 in the middle of an alert's delivery, with the real binary (issue 4, item 11):
#   kill_serve_test.sh KOBAN
# A counting SMTP sink (counting_sink.py, 150 ms before each 250) stands in for the relay.
# `koban serve --demo` fills the force and its 300 demo subscribers; 生活安全企画課's writer
# writes a whole-prefecture alert over HTTP (login form, CSRF) and the head approves it with
# the checklist. Once the sink has accepted some of its messages, the server is killed with
# SIGKILL and started again; the alert must then end `sent` with every targeted subscriber
# reached at least once and at most mail.sessions of them twice (the messages in flight).
#
# The job lease: a claimed job is held for 300 s, but the restarted server releases at once
# the jobs that a dead process of the same host held (store::release_orphaned_jobs), so the
# delivery goes on without waiting for the lease — the test checks that too.
set -eu  # no pipefail: `curl | grep -q` would fail when grep stops reading early
koban="$1"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/koban-kill.XXXXXX)
pid="" sink=""
trap 'kill -9 $pid 2>/dev/null || true; kill $sink 2>/dev/null || true; [ -n "${KOBAN_KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/out.log" ] && tail -20 "$work/out.log" >&2; exit 1; }
sessions=4

python3 "$here/counting_sink.py" "$work/sink.port" "$work/sink.log" 150 &
sink=$!
for _ in $(seq 1 100); do [ -s "$work/sink.port" ] && break; sleep 0.05; done
[ -s "$work/sink.port" ] || fail "the counting sink did not start"
sink_port=$(cat "$work/sink.port")

cat >"$work/koban.conf" <<EOF
mail.transport = smtp
mail.smtp_host = 127.0.0.1
mail.smtp_port = $sink_port
mail.smtp_starttls = off
mail.sessions = $sessions
alerts.docomo_rate = 0
alerts.carrier_rate = 0
jobs.poll_ms = 50
EOF

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
start_server() {  # extra arguments (--demo) → pid
  "$koban" serve "$@" --config "$work/koban.conf" --data "$work/data" --listen "127.0.0.1:$port" >>"$work/out.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$base/healthz" && return 0
    kill -0 "$pid" 2>/dev/null || fail "koban serve exited"
    sleep 0.1
  done
  fail "koban serve did not come up"
}
csrf_of() { grep -o 'name="csrf" value="[^"]*"' "$1" | head -1 | sed 's/.*value="//;s/"$//'; }
login() {  # login_name cookie_jar
  curl -s -c "$2" "$base/admin/login" >"$work/login.html"
  [ "$(curl -s -b "$2" -c "$2" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$(csrf_of "$work/login.html")" \
       --data-urlencode "login_name=$1" --data-urlencode "password=Demo-Koban-2026" "$base/admin/login")" = 303 ] \
    || fail "login as $1"
}
db() { sqlite3 -cmd '.timeout 5000' "$work/data/koban.db" "$1"; }

start_server --demo
login seian.hosa "$work/writer"
curl -s -b "$work/writer" "$base/admin/alerts/new?category=3" >"$work/new.html"
grep -q 'name="whole"' "$work/new.html" || fail "the HQ writer may choose the whole prefecture"
location=$(curl -s -b "$work/writer" -o "$work/created.html" -w '%{redirect_url}' \
  --data-urlencode "csrf=$(csrf_of "$work/new.html")" -d category=3 -d whole=1 -d action=submit \
  --data-urlencode "title=不審者の出没（県下全域）" \
  --data-urlencode "body=本日午前9時ころ、県内各地で不審な男が目撃されました。お子様の登下校にご注意ください。" \
  "$base/admin/alerts")
alert_path=${location%%\?*}
alert_path=/${alert_path#*://*/}
id=${alert_path##*/}
case "$id" in ''|*[!0-9]*) fail "alert not created: $location $(head -c 400 "$work/created.html")" ;; esac

# Approved with the checklist by whoever the engine names: the head in office hours, the HQ
# duty officer in duty hours (nights, weekends); urgent so that it goes out at once at any hour.
approved=""
for approver in seian.kacho honbu.tochoku; do
  login "$approver" "$work/head"
  curl -s -b "$work/head" "$base$alert_path" >"$work/alert.html"
  code=$(curl -s -b "$work/head" -o "$work/approved.html" -w '%{http_code}' --data-urlencode "csrf=$(csrf_of "$work/alert.html")" \
     -d check1=1 -d check2=1 -d check3=1 -d urgent=1 -d urgent_reason=suspect_at_large \
     --data-urlencode "urgent_note=試験（夜間でもすぐに配信）" "$base$alert_path/approve")
  [ "$code" = 303 ] && { approved=$approver; break; }
  [ "$code" = 403 ] || fail "approval by $approver: $code"
done
[ -n "$approved" ] || fail "nobody could approve the alert"

# Who the alert targets, counted independently of the delivery code: confirmed subscribers
# with category 3 (bit 4); the alert covers the whole prefecture.
expected=$(db "SELECT COUNT(*) FROM subscribers WHERE state = 'confirmed' AND (categories & 4) <> 0")
[ "$expected" -ge 50 ] || fail "too few demo subscribers in category 3: $expected"

received() { grep -c "\.$id@" "$work/sink.log" || true; }
for _ in $(seq 1 600); do [ "$(received)" -ge 30 ] && break; sleep 0.05; done
before=$(received)
[ "$before" -ge 30 ] || fail "delivery did not start (sink has $before of the alert's messages)"
{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true
at_kill=$(received)
[ "$at_kill" -lt "$expected" ] || fail "the kill did not land mid-delivery ($at_kill of $expected already accepted)"
[ "$(db "SELECT state FROM alerts WHERE id = $id")" != sent ] || fail "alert already sent at the kill"

[ "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'alerts.deliver' AND state = 'running'")" = 1 ] ||
  fail "the dead server's delivery job is not left running"
start_server
for _ in $(seq 1 1200); do
  [ "$(db "SELECT state FROM alerts WHERE id = $id")" = sent ] && break
  sleep 0.1
done
[ "$(db "SELECT state FROM alerts WHERE id = $id")" = sent ] || fail "alert not sent after the restart ($(received) accepted)"

login "$approved" "$work/head2"
curl -s -b "$work/head2" "$base$alert_path/progress" >"$work/progress.html"
total=$(grep -o 'data-field="total">[0-9]*<' "$work/progress.html" | head -1 | sed 's/[^0-9]//g')
[ "$total" = "$expected" ] || fail "progress page total '$total', expected $expected"

grep "\.$id@" "$work/sink.log" | cut -f1 | sort | uniq -c | awk '{print $1}' >"$work/per_address"
distinct=$(wc -l <"$work/per_address")
twice=$(awk '$1 > 1' "$work/per_address" | wc -l)
all=$(received)
echo "targeted $expected, accepted $all messages ($at_kill before the kill) for $distinct addresses, $twice received twice or more"
[ "$distinct" -eq "$expected" ] || fail "$distinct addresses reached, $expected targeted"
[ "$twice" -le "$sessions" ] || fail "$twice addresses received it twice, more than the $sessions sessions in flight"
[ "$(awk '$1 > 2' "$work/per_address" | wc -l)" -eq 0 ] || fail "an address received it three times"
# The run's own books agree: every item sent.
[ "$(db "SELECT COUNT(*) FROM mail_bulk_items i JOIN mail_bulk_runs r ON r.id = i.run_id
         WHERE r.kind = 'alert' AND r.ref = '$id' AND i.state = 'sent'")" = "$expected" ] || fail "run items not all sent"
kill -TERM "$pid"
wait "$pid" || fail "exit status after SIGTERM"
echo "1 passed, 0 failed"
