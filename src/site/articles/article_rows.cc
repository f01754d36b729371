#include "site/articles/article_rows.h"

#include "audit/audit_log.h"
#include "org/permissions.h"

namespace koban::site::articles {

std::string strip(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\xe3\x80\x80";
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
      s.remove_prefix(1);
    } else if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
      s.remove_suffix(1);
    } else if (s.substr(0, 3) == kIdeographicSpace) {
      s.remove_prefix(3);
    } else if (s.size() >= 3 && s.substr(s.size() - 3) == kIdeographicSpace) {
      s.remove_suffix(3);
    } else {
      return std::string(s);
    }
  }
}

std::optional<Instant> opt_time(const store::Row& r, std::size_t i) {
  auto v = r.opt_int64(i);
  return v ? std::optional(from_unix(*v)) : std::nullopt;
}

Article article_from_row(const store::Row& r) {
  Article a;
  a.id = r.int64(0);
  a.unit_id = r.int64(1);
  a.title = r.text(2);
  a.section = r.text(3);
  a.topic = r.text(4);
  a.station_id = r.opt_int64(5);
  a.pub_state = r.text(6);
  a.work_state = r.text(7);
  a.latest_version_id = r.opt_int64(8);
  a.live_version_id = r.opt_int64(9);
  a.scheduled_version_id = r.opt_int64(10);
  a.pending_version_id = r.opt_int64(11);
  a.request_id = r.opt_int64(12);
  a.request_kind = r.text(13);
  a.created_by = r.int64(14);
  a.created_at = from_unix(r.int64(15));
  a.updated_at = from_unix(r.int64(16));
  a.published_at = opt_time(r, 17);
  a.closed_at = opt_time(r, 18);
  return a;
}

Version version_from_row(const store::Row& r) {
  Version v;
  v.id = r.int64(0);
  v.article_id = r.int64(1);
  v.version_no = static_cast<int>(r.int64(2));
  v.title = r.text(3);
  v.body = r.text(4);
  v.section = r.text(5);
  v.topic = r.text(6);
  v.station_id = r.opt_int64(7);
  v.publish_start = opt_time(r, 8);
  v.publish_end = opt_time(r, 9);
  v.contact = r.text(10);
  v.summary = r.text(11);
  if (auto n = r.opt_int64(12)) v.restored_from = static_cast<int>(*n);
  v.created_by = r.int64(13);
  v.created_at = from_unix(r.int64(14));
  return v;
}

Result<void> audit_article(store::Session& s, const workflow::By& by, const std::string& verb, ArticleId id,
                           const std::string& summary, Instant now) {
  audit::Event e{.actor_id = by.person, .action = "site.article." + verb, .object_type = "article",
                 .object_id = std::to_string(id), .summary = summary, .address = by.address};
  if (by.person) {
    KOBAN_ASSIGN(auto actor, org::load_actor(s, by.person));
    e.actor_name = actor.display_name;
    e.unit_id = actor.unit;
  } else {
    e.actor_id = std::nullopt;
    e.actor_name = "システム";
  }
  KOBAN_TRY(audit::append(s, e, now));
  return ok();
}

}  // namespace koban::site::articles
