#!/usr/bin/env bash
# Issue 5 figure: a full `koban site build` of N published articles (default 10,000, ~2 KB of
# Japanese Markdown each, over every section, topic and police station) vs `hugo --quiet`
# building the same N Markdown files with an equivalent template (layout with nav, breadcrumbs
# and footer; a page per article; section and topic lists paginated at 50; home with the latest
# 10; sitemap.xml; RSS for the home page only, as koban writes one news.atom), same run,
# same machine, both on every core.
#   bench/site_build_bench.sh [articles, default 10000] [rounds, default 3]
# Prints pages/s of each (files written ÷ wall time, best round) and ends with `ratio: X`
# (koban ÷ hugo pages/s).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-10000}
rounds=${2:-3}
bench_need hugo python3
root=$(bench_root)
# KOBAN_BENCH_BUILD overrides the Release build directory (default build/release).
build=${KOBAN_BENCH_BUILD:-$root/build/release}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKOBAN_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target site_bench -j"$(nproc)" >/dev/null
helper="$build/bench/site_bench"
work=$(mktemp -d /tmp/koban-sitebench.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/hugo"
"$helper" generate "$work/koban.db" "$n" "$work/hugo" >/dev/null

# The hugo site: the same layout elements as templates/layout/public.mustache.
h="$work/hugo"
mkdir -p "$h/layouts/_default" "$h/layouts/partials"
cat >"$h/config.toml" <<'TOML'
baseURL = "https://police.example.jp/"
languageCode = "ja"
title = "サンプル県警察"
disableKinds = ["taxonomy", "term"]
buildFuture = true
paginate = 50
[outputs]
home = ["HTML", "RSS"]
section = ["HTML"]
page = ["HTML"]
[markup.goldmark.renderer]
hardWraps = true
TOML
cat >"$h/layouts/_default/baseof.html" <<'HTML'
<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} | {{ end }}{{ .Site.Title }}</title>
<link rel="stylesheet" href="/static/css/site.css">
<link rel="alternate" type="application/atom+xml" title="新着情報" href="/index.xml">
</head>
<body>
<a class="skip-link" href="#main">本文へ移動</a>
<header class="site-header">
  <p class="site-name"><a href="/">{{ .Site.Title }}</a></p>
  <nav class="global-nav" aria-label="メインメニュー"><ul>
  {{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
  </ul></nav>
</header>
{{ if not .IsHome }}<nav class="breadcrumbs" aria-label="現在位置"><ol>
{{ range .Ancestors.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
<li><span aria-current="page">{{ .Title }}</span></li></ol></nav>{{ end }}
<main id="main" tabindex="-1">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
  <p class="footer-name">{{ .Site.Title }}</p>
  <p>緊急の事件・事故は <strong>110番</strong>、緊急でない相談は <strong>#9110</strong> へ。</p>
  <ul class="footer-links"><li><a href="/sitemap/">サイトマップ</a></li><li><a href="/alerts/">安心メールの登録</a></li><li><a href="/mailbox/">けんけいメールボックス</a></li></ul>
</footer>
</body>
</html>
HTML
cat >"$h/layouts/_default/single.html" <<'HTML'
{{ define "main" }}<article class="article">
<h1>{{ .Title }}</h1>
<p class="article-dates">公開日：<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006年1月2日" }}</time></p>
<div class="article-body">{{ .Content }}</div>
<section class="article-contact"><h2>お問い合わせ</h2><p>広報課 000-000-0110</p></section>
</article>{{ end }}
HTML
cat >"$h/layouts/_default/list.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range .Sections }}<section class="topic"><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<ul class="article-list">{{ range first 5 .Pages }}<li><time>{{ .Date.Format "2006年1月2日" }}</time> <a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>{{ end }}
{{ $p := .Paginate .RegularPages }}
<ul class="article-list">{{ range $p.Pages }}<li><time>{{ .Date.Format "2006年1月2日" }}</time> <a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ if gt $p.TotalPages 1 }}<nav class="pager" aria-label="ページ送り"><ul>{{ range $p.Pagers }}<li><a href="{{ .URL }}">{{ .PageNumber }}ページ</a></li>{{ end }}</ul></nav>{{ end }}
{{ end }}
HTML
cat >"$h/layouts/index.html" <<'HTML'
{{ define "main" }}<h1>{{ .Site.Title }}</h1>
<section><h2>新着情報</h2><ul class="article-list">{{ range first 10 .Site.RegularPages.ByDate.Reverse }}<li><time>{{ .Date.Format "2006年1月2日" }}</time> <a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>
<section><h2>分野から探す</h2><ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>
{{ end }}
HTML

count_files() { find "$1" -type f ! -name '.koban-publish' | wc -l; }
now() { date +%s.%N; }
best_k=0; best_h=0
for r in $(seq 1 "$rounds"); do
  rm -rf "$work/public" "$h/public" "$h/resources"
  t0=$(now); "$helper" build "$work/koban.db" "$work/public" 2>"$work/koban.log"; t1=$(now)
  kfiles=$(count_files "$work/public")
  t2=$(now); (cd "$h" && hugo --quiet --destination "$h/public"); t3=$(now)
  hfiles=$(count_files "$h/public")
  kps=$(python3 -c "print(round($kfiles / ($t1 - $t0), 1))")
  hps=$(python3 -c "print(round($hfiles / ($t3 - $t2), 1))")
  echo "round $r: koban $kfiles files in $(python3 -c "print(round($t1 - $t0, 2))") s ($kps pages/s)   hugo $hfiles files in $(python3 -c "print(round($t3 - $t2, 2))") s ($hps pages/s)"
  best_k=$(python3 -c "print(max($best_k, $kps))")
  best_h=$(python3 -c "print(max($best_h, $hps))")
done
tail -1 "$work/koban.log"
echo "best: koban $best_k pages/s, hugo $best_h pages/s"
echo "ratio: $(python3 -c "print(round($best_k / $best_h, 3))")"
