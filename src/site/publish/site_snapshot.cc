#include "site/publish/site_snapshot.h"

#include <algorithm>
#include <unordered_set>

#include "site/sections.h"

namespace koban::site::publish {

const Station* Snapshot::station(std::optional<org::UnitId> id) const {
  if (!id) return nullptr;
  for (const auto& s : stations)
    if (s.id == *id) return &s;
  return nullptr;
}

const LiveArticle* Snapshot::article(articles::ArticleId id) const {
  for (const auto& a : articles)
    if (a.id == id) return &a;
  return nullptr;
}

bool safe_segment(std::string_view s) {
  if (s.empty() || s.size() > 100 || s.front() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

std::string article_path(const LiveArticle& a, const Snapshot& snap) {
  const std::string file = std::to_string(a.id) + ".html";
  if (a.section == kStationsSection) {
    const Station* st = snap.station(a.station_id);
    if (st && safe_segment(st->code)) return "stations/" + st->code + "/" + file;
    return "stations/" + file;
  }
  if (!find_section(a.section) || !safe_segment(a.section)) return "";
  if (find_topic(a.section, a.topic) && safe_segment(a.topic)) return a.section + "/" + a.topic + "/" + file;
  return a.section + "/" + file;
}

Result<Snapshot> load_snapshot(store::Session& s, const SnapshotOptions& opt) {
  Snapshot snap;
  KOBAN_ASSIGN(auto units, s.query("SELECT id, kind, code, name, phone, address, jurisdiction, active FROM units"
                                   " ORDER BY sort_order, id"));
  for (const auto& r : units) {
    snap.unit_names.emplace(r.int64(0), r.text(3));
    if (r.text(1) == "station" && r.int64(7) != 0)
      snap.stations.push_back({r.int64(0), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)});
  }
  // The body only when it is needed: a full build reads them all, an incremental one just one.
  const std::int64_t all_bodies = opt.bodies == Bodies::all ? 1 : 0;
  const std::int64_t body_of = opt.bodies == Bodies::one ? opt.body_of : -1;
  KOBAN_ASSIGN(auto rows,
               s.query("SELECT a.id, a.unit_id, v.station_id, v.title, v.section, v.topic, v.contact,"
                       " CASE WHEN ? = 1 OR a.id = ? THEN v.body ELSE '' END, v.version_no, v.created_at,"
                       " a.published_at FROM articles a JOIN article_versions v ON v.id = a.live_version_id"
                       " WHERE a.pub_state = 'published' ORDER BY a.published_at DESC, a.id DESC",
                       all_bodies, body_of));
  snap.articles.reserve(rows.size());
  std::unordered_map<articles::ArticleId, std::size_t> index;
  for (const auto& r : rows) {
    LiveArticle a;
    a.id = r.int64(0);
    a.unit_id = r.int64(1);
    a.station_id = r.opt_int64(2);
    a.title = r.text(3);
    a.section = r.text(4);
    a.topic = r.text(5);
    a.contact = r.text(6);
    a.body = r.text(7);
    a.version_no = static_cast<int>(r.int64(8));
    a.version_at = from_unix(r.int64(9));
    a.published_at = from_unix(r.int64(10));
    a.path = article_path(a, snap);
    if (a.path.empty()) continue;  // a section that no longer exists: nowhere to put it
    index.emplace(a.id, snap.articles.size());
    snap.articles.push_back(std::move(a));
  }
  KOBAN_ASSIGN(auto files, s.query("SELECT f.id, f.article_id, f.kind, f.sha256, f.stored_name, f.original_name,"
                                   " f.media_type, f.size_bytes, f.alt, f.created_at FROM article_files f"
                                   " JOIN articles a ON a.id = f.article_id WHERE a.pub_state = 'published'"
                                   " ORDER BY f.article_id, f.id"));
  for (const auto& r : files) {
    auto it = index.find(r.int64(1));
    if (it == index.end()) continue;
    auto& a = snap.articles[it->second];
    articles::File f;
    f.id = r.int64(0);
    f.article_id = r.int64(1);
    f.kind = r.text(2);
    f.sha256 = r.text(3);
    f.stored_name = r.text(4);
    f.original_name = r.text(5);
    f.media_type = r.text(6);
    f.size = static_cast<std::uint64_t>(r.int64(7));
    f.alt = r.text(8);
    f.created_at = from_unix(r.int64(9));
    if (f.created_at > a.version_at || !safe_segment(f.stored_name)) continue;
    a.files.push_back(std::move(f));
  }
  return snap;
}

}  // namespace koban::site::publish
