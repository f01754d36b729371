#include "site/publish/publisher.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/atomic_file.h"

namespace koban::site::publish {
namespace fs = std::filesystem;
namespace {

constexpr const char* kManifest = ".koban-publish";
constexpr std::size_t kMaxManifestBytes = 64 << 20;

// A relative path we made: segments from safe_segment, nothing else.
bool safe_relative(std::string_view p) {
  if (p.empty() || p.size() > 400) return false;
  std::size_t start = 0;
  while (start <= p.size()) {
    const auto end = p.find('/', start);
    const auto seg = p.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!safe_segment(seg)) return false;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return true;
}

// Another process (`koban site build` next to `koban serve`) may publish into the same
// directory: an exclusive lock on <dir>/.koban-publish.lock around each operation, on top of
// the in-process mutex. The manifest is re-read under it, so neither loses the other's files.
class DirLock {
 public:
  explicit DirLock(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    fd_ = ::open((dir / ".koban-publish.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace

Publisher::Publisher(store::Database& db, PublisherConfig config)
    : db_(db), config_(std::move(config)), renderer_(config_.render) {
  if (config_.threads < 1) config_.threads = 1;
  if (config_.threads > 16) config_.threads = 16;
}

Result<void> Publisher::write_file(const std::string& rel, std::string_view bytes) {
  if (!safe_relative(rel)) return Error::internal("refused to write " + rel);
  return write_file_atomically(config_.publish_dir / rel, bytes, {.mode = 0644, .sync = config_.fsync});
}

// The list as we last read or wrote it stays valid while the file is unchanged.
void Publisher::forget_manifest_if_changed() {
  std::error_code ec;
  const fs::path p = config_.publish_dir / kManifest;
  const auto size = fs::file_size(p, ec);
  const auto stamp = ec ? -1 : static_cast<std::int64_t>(fs::last_write_time(p, ec).time_since_epoch().count());
  if (ec || size != manifest_.size || stamp != manifest_.mtime) manifest_.loaded = false;
}

void Publisher::remember_manifest_stamp() {
  std::error_code ec;
  const fs::path p = config_.publish_dir / kManifest;
  manifest_.size = fs::file_size(p, ec);
  manifest_.mtime = ec ? -2 : static_cast<std::int64_t>(fs::last_write_time(p, ec).time_since_epoch().count());
}

Result<void> Publisher::load_manifest() {
  if (manifest_.loaded) return ok();
  manifest_ = {};
  manifest_.loaded = true;
  const fs::path p = config_.publish_dir / kManifest;
  std::error_code ec;
  if (!fs::exists(p, ec)) return ok();
  std::ifstream in(p, std::ios::binary);
  std::string line;
  // A damaged list: start a new one (the next build writes every page again; files of the old
  // list that are no longer part of the site stay, as we can no longer tell they were ours).
  if (fs::file_size(p, ec) > kMaxManifestBytes || !std::getline(in, line) || line != "koban-publish 1") {
    std::cerr << "site publish: ignoring the damaged list of published files " << p << "\n";
    return ok();
  }
  manifest_.exists = true;
  remember_manifest_stamp();
  while (std::getline(in, line)) {
    if (line.starts_with("F ")) {
      // Only what we could have written: never a path that leaves the directory.
      if (safe_relative(line.substr(2))) manifest_.files.insert(line.substr(2));
    } else if (line.starts_with("A ")) {
      std::istringstream ls(line.substr(2));
      articles::ArticleId id = 0;
      ls >> id;
      std::vector<std::string> keys;
      std::string k;
      while (ls >> k) keys.push_back(k);
      manifest_.lists[id] = std::move(keys);
    }
  }
  return ok();
}

Result<void> Publisher::save_manifest() {
  std::string out = "koban-publish 1\n";
  for (const auto& f : manifest_.files) out += "F " + f + "\n";
  for (const auto& [id, keys] : manifest_.lists) {
    out += "A " + std::to_string(id);
    for (const auto& k : keys) out += " " + k;
    out += "\n";
  }
  KOBAN_TRY(write_file_atomically(config_.publish_dir / kManifest, out, {.mode = 0644, .sync = config_.fsync}));
  manifest_.exists = true;
  remember_manifest_stamp();
  return ok();
}

Result<HomeExtras> Publisher::home_extras(store::Session& s) {
  HomeExtras h;
  if (config_.emergency) {
    KOBAN_ASSIGN(h.emergency, config_.emergency(s));
  }
  return h;
}

Result<HomeExtras> Publisher::read_snapshot(Snapshot& snap, const SnapshotOptions& opt) {
  HomeExtras home;
  KOBAN_TRY(db_.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(snap, load_snapshot(s, opt));
    KOBAN_ASSIGN(home, home_extras(s));
    return ok();
  }));
  // The alerts block reads the database on its own (another module's query).
  if (config_.home_alerts && !home.emergency) {
    auto alerts = config_.home_alerts();
    if (alerts) home.alerts = std::move(*alerts);
    else std::cerr << "site publish: latest alerts not shown: " << alerts.error().message << "\n";
  }
  return home;
}

Result<void> Publisher::run(const std::vector<PageJob>& jobs, PublishReport& report, bool progress) {
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex mu;
  std::optional<Error> first_error;
  std::vector<std::string> written;
  written.reserve(jobs.size());
  auto worker = [&] {
    std::vector<std::string> mine;
    for (std::size_t i = next++; i < jobs.size(); i = next++) {
      auto page = jobs[i]();
      Result<void> w = page ? write_file(page->path, page->body) : Result<void>(page.error());
      if (!w) {
        std::lock_guard lock(mu);
        if (!first_error) first_error = w.error();
        next = jobs.size();  // stop the others early
        break;
      }
      mine.push_back(std::move(page->path));
      const auto d = ++done;
      if (progress && config_.progress && d % 1000 == 0) {
        std::lock_guard lock(mu);
        config_.progress(d, jobs.size());
      }
    }
    std::lock_guard lock(mu);
    for (auto& p : mine) written.push_back(std::move(p));
  };
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(config_.threads), std::max<std::size_t>(1, jobs.size() / 8));
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  report.pages += written.size();
  for (auto& p : written) report.written.push_back(std::move(p));
  if (first_error) return *first_error;
  return ok();
}

Result<void> Publisher::copy_uploads(const Snapshot& snap, const std::set<articles::ArticleId>* only,
                                     PublishReport& report) {
  std::error_code ec;
  for (const auto& a : snap.articles) {
    if (only && !only->count(a.id)) continue;
    for (const auto& f : a.files) {
      const std::string rel = "uploads/" + f.stored_name;
      const fs::path target = config_.publish_dir / rel;
      // Stored by content hash: a file of the same name and size is the same file.
      // A file there already that we did not copy stays off our list, so it is never removed.
      if (fs::exists(target, ec) && fs::file_size(target, ec) == f.size) continue;
      const fs::path src = config_.upload_dir / f.stored_name;
      std::ifstream in(src, std::ios::binary);
      if (!in) return Error::internal("upload missing: " + src.string());
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      KOBAN_TRY(write_file(rel, bytes));
      report.written.push_back(rel);
    }
  }
  return ok();
}

Result<void> Publisher::finish(const SiteIndex& index, const Snapshot& snap, bool full, PublishReport& report) {
  // Files we wrote before that the site no longer has: closed articles, shorter lists, moves.
  std::error_code ec;
  for (const auto& f : manifest_.files) {
    if (index.paths.count(f)) continue;
    fs::remove(config_.publish_dir / f, ec);
    if (ec) return Error::internal("cannot remove " + f + ": " + ec.message());
    report.removed.push_back(f);
  }
  for (const auto& f : report.removed) manifest_.files.erase(f);
  for (const auto& f : report.written) manifest_.files.insert(f);
  // Where each live article is listed now: the next update of it re-renders those lists too.
  manifest_.lists.clear();
  for (const auto& a : snap.articles) manifest_.lists[a.id] = SiteIndex::lists_of(a, snap);
  KOBAN_TRY(save_manifest());
  std::sort(report.written.begin(), report.written.end());
  report.written.erase(std::unique(report.written.begin(), report.written.end()), report.written.end());
  std::sort(report.removed.begin(), report.removed.end());
  if (config_.on_files) config_.on_files(report.written, report.removed);
  if (config_.on_changed) config_.on_changed();
  return ok();
}

Result<PublishReport> Publisher::build_all() {
  std::lock_guard lock(mu_);
  DirLock dir_lock(config_.publish_dir);
  if (!dir_lock.ok()) return Error::unavailable("cannot lock " + config_.publish_dir.string());
  forget_manifest_if_changed();  // another process may have published since
  KOBAN_TRY(load_manifest());
  return build_all_locked();
}

Result<PublishReport> Publisher::build_all_locked() {
  Snapshot snap;
  KOBAN_ASSIGN(auto home, read_snapshot(snap, {.bodies = Bodies::all}));
  const SiteIndex index = renderer_.index(snap);
  PublishReport report;
  KOBAN_TRY(run(renderer_.jobs(snap, index, Selection::all(), home), report, true));
  KOBAN_TRY(copy_uploads(snap, nullptr, report));
  KOBAN_TRY(finish(index, snap, true, report));
  return report;
}

Result<PublishReport> Publisher::update(articles::ArticleId id) {
  std::lock_guard lock(mu_);
  DirLock dir_lock(config_.publish_dir);
  if (!dir_lock.ok()) return Error::unavailable("cannot lock " + config_.publish_dir.string());
  forget_manifest_if_changed();  // another process may have published since
  KOBAN_TRY(load_manifest());
  if (!manifest_.exists) return build_all_locked();  // nothing published yet: the whole site, once
  Snapshot snap;
  KOBAN_ASSIGN(auto home, read_snapshot(snap, {.bodies = Bodies::one, .body_of = id}));
  const SiteIndex index = renderer_.index(snap);
  Selection sel{.shared = true};
  if (const LiveArticle* a = snap.article(id)) {
    sel.articles.insert(id);
    for (auto& k : SiteIndex::lists_of(*a, snap)) sel.lists.insert(std::move(k));
  }
  if (auto old = manifest_.lists.find(id); old != manifest_.lists.end())
    for (const auto& k : old->second) sel.lists.insert(k);
  PublishReport report;
  KOBAN_TRY(run(renderer_.jobs(snap, index, sel, home), report, false));
  const std::set<articles::ArticleId> only{id};
  KOBAN_TRY(copy_uploads(snap, &only, report));
  KOBAN_TRY(finish(index, snap, false, report));
  return report;
}

Result<PublishReport> Publisher::refresh_home() {
  std::lock_guard lock(mu_);
  DirLock dir_lock(config_.publish_dir);
  if (!dir_lock.ok()) return Error::unavailable("cannot lock " + config_.publish_dir.string());
  forget_manifest_if_changed();  // another process may have published since
  KOBAN_TRY(load_manifest());
  if (!manifest_.exists) return build_all_locked();  // a lone home page would link to nothing
  Snapshot snap;
  // The news list needs the newest articles only, but reading the metadata is cheap.
  KOBAN_ASSIGN(auto home, read_snapshot(snap, {.bodies = Bodies::none}));
  PublishReport report;
  const SiteIndex index;  // unused by the home page
  KOBAN_TRY(run(renderer_.jobs(snap, index, {.home_only = true}, home), report, false));
  for (const auto& f : report.written) manifest_.files.insert(f);
  KOBAN_TRY(save_manifest());
  if (config_.on_files) config_.on_files(report.written, report.removed);
  if (config_.on_changed) config_.on_changed();
  return report;
}

articles::Hooks Publisher::hooks() {
  auto log = [](const char* what, articles::ArticleId id, const Result<PublishReport>& r) {
    if (!r) std::cerr << "site publish: " << what << " " << id << " failed: " << r.error().message << "\n";
  };
  return {.on_published = [this, log](articles::ArticleId id) { log("publish", id, on_published(id)); },
          .on_closed = [this, log](articles::ArticleId id) { log("close", id, on_closed(id)); }};
}

}  // namespace koban::site::publish
