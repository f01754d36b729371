#!/usr/bin/env bash
# The koban binary end to end: CLI answers, `serve --demo` comes up on an empty data
# directory, serves pages, /healthz, /metrics and /admin/mail, and stops cleanly on SIGTERM.
set -eu  # no pipefail: `curl | grep -q` would fail when grep stops reading early
koban="$1"
work=$(mktemp -d /tmp/koban-smoke.XXXXXX)
pid=""
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$koban" --version | grep -q '^koban ' || fail "--version"
"$koban" serve --help | grep -q -- '--listen' || fail "serve --help"
"$koban" nosuchcommand 2>/dev/null && fail "unknown command accepted"
"$koban" serve --bogus 2>/dev/null && fail "unknown option accepted"
[ "$("$koban" calendar holidays 2019 | wc -l)" -eq 22 ] || fail "2019 has 22 holidays"
"$koban" calendar holidays 2019 | grep -q $'^2019-05-01\t.*即位の日' || fail "2019-05-01"
"$koban" calendar check 2026-05-03T21:59 | grep -q '当直' || fail "calendar check on a holiday night"
"$koban" calendar check 2026-13-01T00:00 2>/dev/null && fail "bad date accepted"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$koban" serve --demo --data "$work/data" --listen "127.0.0.1:$port" >"$work/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.1
done
[ "$(curl -s "http://127.0.0.1:$port/healthz")" = "ok" ] || fail "/healthz"
curl -s "http://127.0.0.1:$port/" | grep -q 'サンプル県警察' || fail "home page"
curl -s "http://127.0.0.1:$port/alerts/" | grep -q '子供安全情報' || fail "alert sign-up page"
curl -s "http://127.0.0.1:$port/alerts/qr.svg" | grep -q '<svg' || fail "alert QR code"
curl -s "http://127.0.0.1:$port/alerts/archive" | grep -q '配信履歴' || fail "alert archive"
curl -s "http://127.0.0.1:$port/mailbox/" | grep -q 'メールボックス' || fail "public mailbox form"
curl -s "http://127.0.0.1:$port/alerts/1.cap.xml" | grep -q 'urn:oasis:names:tc:emergency:cap:1.2' || fail "CAP document"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/no/such/page" | grep -q 404 || fail "404"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^koban_jobs_queued ' || fail "/metrics jobs"
# Staff login: the login form's CSRF cookie, a wrong password, the right one, permissions.
base="http://127.0.0.1:$port"
login() {  # login_name password cookie_jar → HTTP status of the POST
  curl -s -c "$3" "$base/admin/login" >"$work/login.html"
  local csrf
  csrf=$(grep -o 'name="csrf" value="[^"]*"' "$work/login.html" | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -b "$3" -c "$3" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" \
       --data-urlencode "login_name=$1" --data-urlencode "password=$2" "$base/admin/login"
}
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/admin/mail")" = 303 ] || fail "/admin/mail without login redirects"
[ "$(login system.kanri wrong-Password1 "$work/jar")" = 401 ] || fail "wrong password"
[ "$(login system.kanri Demo-Koban-2026 "$work/jar")" = 303 ] || fail "login as system.kanri"
for _ in $(seq 1 50); do
  curl -s -b "$work/jar" "$base/admin/mail?batch=demo" | grep -q 'demo.taro@example.jp' && break
  sleep 0.1
done
curl -s -b "$work/jar" "$base/admin/mail?batch=demo" | grep -q 'demo.taro@example.jp' || fail "/admin/mail lists the demo mail"
[ "$(login chuo.tanto Demo-Koban-2026 "$work/jar2")" = 303 ] || fail "login as chuo.tanto"
[ "$(curl -s -b "$work/jar2" -o /dev/null -w '%{http_code}' "$base/admin/mail")" = 403 ] || fail "station staff may not read the mail log"
[ "$(curl -s -b "$work/jar2" -o /dev/null -w '%{http_code}' -d csrf=forged "$base/admin/logout")" = 403 ] || fail "logout with a forged CSRF token"
[ "$(curl -s -o /dev/null -w '%{http_code}' -d 'csrf=x&login_name=a&password=b' "$base/admin/login")" = 403 ] || fail "login without the form's cookie"
# Every staff page of the menu answers a logged-in person (permissions decide the rest).
for page in /admin/ /admin/requests /admin/requests/new /admin/incidents /admin/subsystems /admin/units /admin/ledger /admin/totp /admin/password \
            /admin/webauthn /admin/absences /admin/duty /admin/alerts /admin/alerts/new /admin/site /admin/site/new; do
  [ "$(curl -s -b "$work/jar2" -o /dev/null -w '%{http_code}' "$base$page")" = 200 ] || fail "$page for station staff"
done
for page in /admin/audit /admin/people /admin/mail /admin/roles /admin/alerts/stats /admin/alerts/1/progress; do
  [ "$(curl -s -b "$work/jar" -o /dev/null -w '%{http_code}' "$base$page")" = 200 ] || fail "$page for the system administrator"
done
# Password change: the policy refuses a weak one, a good one works and the old one stops.
csrf=$(curl -s -b "$work/jar2" "$base/admin/password" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
[ "$(curl -s -b "$work/jar2" -o "$work/pw.html" -w '%{http_code}' --data-urlencode "csrf=$csrf" \
    -d current=Demo-Koban-2026 -d new1=short -d new2=short "$base/admin/password")" = 422 ] || fail "weak password refused"
grep -q '8文字以上' "$work/pw.html" || fail "policy message shown"
[ "$(curl -s -b "$work/jar2" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" \
    -d current=Demo-Koban-2026 -d new1=Better-Pass-2027 -d new2=Better-Pass-2027 "$base/admin/password")" = 303 ] || fail "password change"
[ "$(login chuo.tanto Demo-Koban-2026 "$work/jar3")" = 401 ] || fail "old password still works"
[ "$(login chuo.tanto Better-Pass-2027 "$work/jar3")" = 303 ] || fail "new password"
# An expired password (91 days old) leads to the change form instead of a session.
sqlite3 "$work/data/koban.db" "UPDATE credentials SET changed_at = changed_at - 91*86400
  WHERE person_id = (SELECT id FROM people WHERE login_name = 'kita.tanto')"
[ "$(login kita.tanto Demo-Koban-2026 "$work/jar4")" = 200 ] || fail "expired password shows the change form"
csrf=$(curl -s -c "$work/jar4" -b "$work/jar4" "$base/admin/login" >/dev/null; \
       curl -s -b "$work/jar4" -c "$work/jar4" --data-urlencode "csrf=$(grep -o 'name="csrf" value="[^"]*"' "$work/login.html" | head -1 | sed 's/.*value="//;s/"$//')" \
       -d login_name=kita.tanto -d password=Demo-Koban-2026 "$base/admin/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
[ -n "$csrf" ] || fail "expired form token"
[ "$(curl -s -b "$work/jar4" -c "$work/jar4" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" -d login_name=kita.tanto \
    -d current=Demo-Koban-2026 -d new1=Renewed-Pass-2027 -d new2=Renewed-Pass-2027 "$base/admin/login/expired")" = 303 ] || fail "change after expiry"
curl -s -b "$work/jar4" "$base/admin/" | grep -q 'ダッシュボード' || fail "session after the expired change"
# One-time codes (TOTP): system.kanri sets one up, then needs it at the next login.
totp() {  # base32 secret, step offset → 6 digits (RFC 6238)
  python3 -c 'import base64,hmac,hashlib,struct,sys,time
k=base64.b32decode(sys.argv[1]+"="*(-len(sys.argv[1])%8)); t=int(time.time())//30+int(sys.argv[2])
h=hmac.new(k,struct.pack(">Q",t),hashlib.sha1).digest(); o=h[-1]&15
print("%06d"%((struct.unpack(">I",h[o:o+4])[0]&0x7fffffff)%1000000))' "$1" "$2"
}
csrf_of() { grep -o 'name="csrf" value="[^"]*"' "$1" | head -1 | sed 's/.*value="//;s/"$//'; }
curl -s -b "$work/jar" "$base/admin/totp" >"$work/totp.html"
curl -s -b "$work/jar" --data-urlencode "csrf=$(csrf_of "$work/totp.html")" -d step=enroll "$base/admin/totp" >"$work/enroll.html"
secret=$(grep -o '<code>[A-Z2-7]*</code>' "$work/enroll.html" | head -1 | sed 's/<[^>]*>//g')
[ -n "$secret" ] || fail "TOTP enrolment shows a key"
curl -s -b "$work/jar" --data-urlencode "csrf=$(csrf_of "$work/enroll.html")" -d step=confirm -d "code=$(totp "$secret" 0)" \
     "$base/admin/totp" | grep -q '設定しました' || fail "TOTP confirmation"
[ "$(login system.kanri Demo-Koban-2026 "$work/jar5")" = 303 ] || fail "password step with TOTP"
[ "$(curl -s -b "$work/jar5" -o /dev/null -w '%{redirect_url}' "$base/admin/mail")" = "$base/admin/login/totp" ] || fail "pages wait for the code"
curl -s -b "$work/jar5" "$base/admin/login/totp" >"$work/code.html"
[ "$(curl -s -b "$work/jar5" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$(csrf_of "$work/code.html")" -d code=000000 "$base/admin/login/totp")" = 401 ] || fail "wrong code refused"
[ "$(curl -s -b "$work/jar5" -c "$work/jar5" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$(csrf_of "$work/code.html")" \
     -d "code=$(totp "$secret" 1)" "$base/admin/login/totp")" = 303 ] || fail "right code accepted"
curl -s -b "$work/jar5" "$base/admin/mail" | grep -q '送信メール' || fail "pages after the code"
# A worker beside the server on the same data directory (scale-out shape), stopped by SIGTERM.
"$koban" worker --data "$work/data" >"$work/worker.log" 2>&1 &
wpid=$!
for _ in $(seq 1 50); do grep -qs 'worker ready' "$work/worker.log" && break; sleep 0.1; done
grep -q 'worker ready' "$work/worker.log" || fail "koban worker did not start: $(cat "$work/worker.log")"
kill -TERM "$wpid"
wait "$wpid" || fail "worker exit status after SIGTERM"
grep -q '"path":"/healthz"' "$work/data/logs/access.log" || sleep 1.2
curl -s -o /dev/null "http://127.0.0.1:$port/healthz"
kill -TERM "$pid"
wait "$pid" || fail "exit status after SIGTERM"
grep -q 'koban: stopped' "$work/out.log" || fail "clean stop"
grep -q '"path":"/healthz"' "$work/data/logs/access.log" || fail "access log"
"$koban" audit verify --data "$work/data" >/dev/null || fail "audit verify on an intact trail"
sqlite3 "$work/data/koban.db" "UPDATE audit_log SET summary = 'tampered' WHERE seq = 2"
out=$("$koban" audit verify --data "$work/data" 2>&1) && fail "audit verify missed an edited row"
echo "$out" | grep -q 'seq 2' || echo "$out" | grep -q '2' || fail "audit verify names the row: $out"
"$koban" backup "$work/backup.db" --data "$work/data" | grep -q 'backup written' || fail "backup"
"$koban" restore "$work/backup.db" --data "$work/data" | grep -q 'restored' || fail "restore"
echo "1 passed, 0 failed"
