// The append-only outcome journal of one bulk run (DATA_DIR/bulk/<run>.journal).
//
//   KOBAN_ASSIGN(auto j, bulk::Journal::open(dir + "/7.journal"));  // takes an flock
//   KOBAN_ASSIGN(auto replay, j.read_from(folded_offset));           // after a crash
//   j.append({.item_id = 42, .status = JournalStatus::sent, .code = 250});  // one write(2)
//   j.sync();                                                         // fdatasync, per fold
//
// Why a file and not the database: the SMTP outcome callback must record "this message was
// accepted" before the session starts its next message, and a write(2) into the page cache
// costs a microsecond and survives kill -9 of the process (not a power loss: the folder
// fdatasyncs at each fold). A database commit per message would halve the throughput.
//
// Record: u32 payload length, u32 checksum (FNV-1a of the payload), payload = i64 item id,
// u8 status, u16 SMTP code, u32 attempts before this outcome, the reply text (≤ 200 bytes).
// One write(2) per record on an O_APPEND descriptor, so a killed process leaves whole records;
// a power loss may leave a torn last record, which read_from() drops (and cuts off).
// The exclusive flock says "a live process on this host is sending this run": a restarted
// process can take over its own host's lease at once; two senders on one host cannot.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace koban::mail::bulk {

enum class JournalStatus : std::uint8_t { sent = 1, deferred = 2, bounced = 3, skipped = 4 };

struct JournalRecord {
  std::int64_t item_id = 0;
  JournalStatus status = JournalStatus::sent;
  int code = 0;              // SMTP reply code, 0 when none
  int attempts_before = 0;   // the item's attempts when it was handed to SMTP (guards replays)
  std::string text;          // reply text or what went wrong (clipped to kMaxJournalText)
};

inline constexpr std::size_t kMaxJournalText = 200;

struct JournalReplay {
  std::vector<JournalRecord> records;
  std::vector<std::uint64_t> ends;  // ends[i]: file offset just after records[i]
  std::uint64_t end = 0;            // offset after the last whole record (the file is cut here)
  bool torn = false;                // a partial or damaged tail was dropped
};

class Journal {
 public:
  // Creates the file if needed and takes an exclusive flock without waiting:
  // ErrorCode::conflict when another process holds it.
  static Result<Journal> open(const std::string& path);
  Journal() = default;
  Journal(Journal&& o) noexcept;
  Journal& operator=(Journal&& o) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  // Reads the whole records from offset on (at most max_records); drops a torn tail by
  // truncating the file there, so that appends follow the last whole record.
  Result<JournalReplay> read_from(std::uint64_t offset, std::size_t max_records = SIZE_MAX);
  // One write(2); returns the offset after the record.
  Result<std::uint64_t> append(const JournalRecord& r);
  Result<void> sync();
  std::uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Closes and deletes the file (the run is done and folded).
  void remove();

  static std::string encode(const JournalRecord& r);

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string path_;
};

}  // namespace koban::mail::bulk
