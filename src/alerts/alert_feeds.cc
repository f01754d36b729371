#include "alerts/alert_feeds.h"

#include "alerts/categories.h"
#include "http/forms/utf8.h"

namespace koban::alerts {
namespace {

// XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// Surrogates never come out of the strict decoder.
bool xml_char(char32_t cp) {
  if (cp == 0x9 || cp == 0xA || cp == 0xD) return true;
  if (cp < 0x20) return false;
  return cp != 0xFFFE && cp != 0xFFFF;
}

std::string iso_jst(Instant t) { return to_jst(t).iso(); }

void element(std::string& out, std::string_view indent, std::string_view name, std::string_view text) {
  out += indent;
  out += '<';
  out += name;
  out += '>';
  out += xml_escape(text);
  out += "</";
  out += name;
  out += ">\n";
}

std::string category_name(int category) {
  const Category* c = find_category(category);
  return c ? std::string(c->name) : std::string("お知らせ情報");
}

std::string areas_text(const PublicAlert& a) {
  if (a.whole_prefecture || a.area_names.empty()) return "県内全域";
  std::string out;
  for (const auto& n : a.area_names) out += (out.empty() ? "" : "、") + n;
  return out;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      switch (b) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
          if (xml_char(b)) out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    auto c = http::forms::decode_utf8(text, i);
    if (c.len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
      ++i;
      continue;
    }
    if (xml_char(c.code_point)) out.append(text.substr(i, c.len));
    i += c.len;
  }
  return out;
}

std::string tag_uri(const FeedSettings& fs, std::string_view specific) {
  return "tag:" + fs.sender + "," + fs.tag_date + ":" + std::string(specific);
}
std::string alert_page_url(const FeedSettings& fs, std::int64_t id) {
  return fs.base_url + "/alerts/archive/" + std::to_string(id);
}
std::string cap_url(const FeedSettings& fs, std::int64_t id) {
  return fs.base_url + "/alerts/" + std::to_string(id) + ".cap.xml";
}
std::string cap_identifier(const FeedSettings& fs, std::int64_t id) {
  return fs.sender + "-alert-" + std::to_string(id);
}

std::string display_title(const PublicAlert& a) {
  std::string t = "【" + category_name(a.category) + "】";
  if (a.follow_kind) t += std::string("【") + label(*a.follow_kind) + "】";
  return t + a.title;
}

CapProfile cap_profile(const PublicAlert& a) {
  if (a.follow_kind == FollowKind::resolution) return {"Update", "Past", "Minor", "Observed", true};
  const char* type = a.follow_kind ? "Update" : "Alert";
  if (a.urgent) return {type, "Immediate", "Severe", "Observed", false};
  if (a.category == 1 || a.category == 2 || (a.category == 3 && a.physical_danger))
    return {type, "Expected", "Moderate", "Observed", false};
  if (a.category == 5) return {type, "Expected", "Moderate", "Likely", false};
  if (a.category == 6) return {type, "Unknown", "Minor", "Unknown", false};
  return {type, "Expected", "Minor", "Observed", false};
}

std::vector<const char*> cap_categories(int category, bool physical_danger) {
  switch (category) {
    case 1:
    case 2: return {"Security"};
    case 3: return physical_danger ? std::vector<const char*>{"Security", "Safety"} : std::vector<const char*>{"Security"};
    case 4: return {"Transport"};
    case 5: return {"Met", "Geo"};
    default: return {"Other"};
  }
}

std::string cap_alert(const FeedSettings& fs, const PublicAlert& a) {
  const CapProfile p = cap_profile(a);
  std::string x;
  x.reserve(2048 + a.body.size());
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n";
  element(x, "  ", "identifier", cap_identifier(fs, a.id));
  element(x, "  ", "sender", fs.sender);
  element(x, "  ", "sent", iso_jst(a.sent_at));
  element(x, "  ", "status", "Actual");
  element(x, "  ", "msgType", p.msg_type);
  element(x, "  ", "scope", "Public");
  // CAP references: "sender,identifier,sent" of each earlier message, space-separated.
  if (a.follows_id)
    element(x, "  ", "references",
            fs.sender + "," + cap_identifier(fs, *a.follows_id) + "," + iso_jst(a.original_sent_at));
  x += "  <info>\n";
  element(x, "    ", "language", "ja-JP");
  for (const char* c : cap_categories(a.category, a.physical_danger)) element(x, "    ", "category", c);
  element(x, "    ", "event", category_name(a.category));
  if (p.all_clear) element(x, "    ", "responseType", "AllClear");
  element(x, "    ", "urgency", p.urgency);
  element(x, "    ", "severity", p.severity);
  element(x, "    ", "certainty", p.certainty);
  element(x, "    ", "senderName", a.unit_name.empty() ? fs.force_name : fs.force_name + " " + a.unit_name);
  element(x, "    ", "headline", display_title(a));
  element(x, "    ", "description", a.body);
  element(x, "    ", "web", alert_page_url(fs, a.id));
  if (a.whole_prefecture || a.area_names.empty()) {
    x += "    <area>\n";
    element(x, "      ", "areaDesc", "県内全域");
    x += "    </area>\n";
  } else {
    for (const auto& name : a.area_names) {
      x += "    <area>\n";
      element(x, "      ", "areaDesc", name);
      x += "    </area>\n";
    }
  }
  x += "  </info>\n";
  x += "</alert>\n";
  return x;
}

std::string atom_feed(const FeedSettings& fs, const FeedInfo& info, std::span<const PublicAlert> alerts) {
  Instant updated = info.updated;
  if (!alerts.empty()) {
    updated = alerts.front().sent_at;
    for (const auto& a : alerts) updated = std::max(updated, a.sent_at);
  }
  std::string x;
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n";
  element(x, "  ", "id", info.id);
  element(x, "  ", "title", info.title);
  element(x, "  ", "updated", iso_jst(updated));
  x += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" + xml_escape(info.self_url) + "\"/>\n";
  x += "  <link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escape(info.html_url) + "\"/>\n";
  x += "  <author>\n";
  element(x, "    ", "name", fs.force_name);
  element(x, "    ", "uri", fs.base_url + "/");
  x += "  </author>\n";
  element(x, "  ", "rights", fs.force_name);
  for (const auto& a : alerts) {
    x += "  <entry>\n";
    element(x, "    ", "id", tag_uri(fs, "alerts/" + std::to_string(a.id)));
    element(x, "    ", "title", display_title(a));
    element(x, "    ", "published", iso_jst(a.sent_at));
    element(x, "    ", "updated", iso_jst(a.sent_at));
    x += "    <link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escape(alert_page_url(fs, a.id)) + "\"/>\n";
    x += "    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"" + xml_escape(cap_url(fs, a.id)) + "\"/>\n";
    if (a.follows_id)
      x += "    <link rel=\"related\" type=\"text/html\" href=\"" + xml_escape(alert_page_url(fs, *a.follows_id)) + "\"/>\n";
    x += "    <category term=\"" + std::to_string(a.category) + "\" scheme=\"" + xml_escape(fs.base_url + "/alerts/categories") +
         "\" label=\"" + xml_escape(category_name(a.category)) + "\"/>\n";
    element(x, "    ", "summary", "対象地域：" + areas_text(a) + (a.unit_name.empty() ? "" : "　発信：" + a.unit_name));
    element(x, "    ", "content", a.body);
    x += "  </entry>\n";
  }
  x += "</feed>\n";
  return x;
}

}  // namespace koban::alerts
