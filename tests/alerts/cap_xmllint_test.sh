#!/usr/bin/env bash
# CAP 1.2 documents and Atom feeds from koban's builders, checked by a real XML parser:
# runs FeedSamples.WriteForXmllint of the alerts_test binary (every category, urgent, 続報 /
# 訂正 / 解除, whole prefecture, several areas, XML special characters and stray bytes), then
#   xmllint --noout --schema tests/data/cap/cap12.xsd  on every *.cap.xml,
#   xmllint --noout                                     on the Atom feed,
# and reads a few values back with XPath. Fails (never skips) when xmllint is missing.
#   cap_xmllint_test.sh path/to/alerts_test path/to/cap12.xsd
set -euo pipefail

exe=${1:?usage: cap_xmllint_test.sh ALERTS_TEST_EXE CAP12_XSD}
xsd=${2:?usage: cap_xmllint_test.sh ALERTS_TEST_EXE CAP12_XSD}

if ! command -v xmllint >/dev/null 2>&1; then
  echo "FAIL: xmllint not found; install libxml2-utils (scripts/install-deps.sh)" >&2
  exit 1
fi
[ -f "$xsd" ] || { echo "FAIL: schema $xsd not found" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/koban-cap-XXXXXX")
trap 'rm -rf "$dir"' EXIT

KOBAN_FEED_SAMPLES_DIR="$dir" "$exe" --gtest_filter='FeedSamples.WriteForXmllint' >"$dir/gtest.log" 2>&1 || {
  cat "$dir/gtest.log" >&2
  echo "FAIL: the sample writer failed" >&2
  exit 1
}

shopt -s nullglob
caps=("$dir"/*.cap.xml)
if [ ${#caps[@]} -lt 12 ]; then
  echo "FAIL: expected at least 12 CAP samples, found ${#caps[@]}" >&2
  exit 1
fi

xmllint --noout --schema "$xsd" "${caps[@]}"
xmllint --noout "$dir/all.atom"

# Values read back by a parser, not by string matching.
expect() {  # expect FILE XPATH VALUE
  local got
  got=$(xmllint --xpath "$2" "$1")
  if [ "$got" != "$3" ]; then
    echo "FAIL: $1 $2: expected [$3], got [$got]" >&2
    exit 1
  fi
}
cap='/*[local-name()="alert"]'
info="$cap/*[local-name()=\"info\"]"
expect "$dir/303.cap.xml" "string($info/*[local-name()=\"headline\"])" "【防犯情報】<&>\"' ]]> 注意"
expect "$dir/303.cap.xml" "string($info/*[local-name()=\"senderName\"])" "サンプル県警察 A&B署"
expect "$dir/203.cap.xml" "string($cap/*[local-name()=\"msgType\"])" "Update"
expect "$dir/203.cap.xml" "string($info/*[local-name()=\"responseType\"])" "AllClear"
expect "$dir/201.cap.xml" "string($cap/*[local-name()=\"references\"])" \
  "police.example.jp,police.example.jp-alert-101,2026-11-18T08:05:00+09:00"
expect "$dir/301.cap.xml" "string($info/*[local-name()=\"area\"]/*[local-name()=\"areaDesc\"])" "県内全域"
expect "$dir/302.cap.xml" "count($info/*[local-name()=\"area\"])" "2"
expect "$dir/all.atom" "count(/*[local-name()=\"feed\"]/*[local-name()=\"entry\"])" "${#caps[@]}"
expect "$dir/all.atom" "string(/*[local-name()=\"feed\"]/*[local-name()=\"title\"])" "安心メール <全件> & 新着"
expect "$dir/all.atom" \
  "string(/*[local-name()=\"feed\"]/*[local-name()=\"link\"][@rel=\"self\"]/@href)" \
  "https://police.example.jp/alerts/feed.atom?category=1&area=chuo"
echo "ok: ${#caps[@]} CAP documents valid against $(basename "$xsd"); Atom feed well-formed"
