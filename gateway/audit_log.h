// The audit log: one JSON record per inquiry, permitted or denied, in append-only segment files,
// hash-chained, and durable (fdatasync) before the inquiry is answered.
//
// Files: DIR/segment-<first seq, 12 digits>.jsonl, one record per line. Every start of the gateway opens
// a new segment; the chain continues from the last record of the previous one (as X-Road's message log
// carries the last digest across archives), so removing, changing or reordering any record, or a whole
// segment, breaks the chain `doelpoort audit verify` checks.
//
// What each hash covers, exactly: a line is
//     BODY[0 .. len-2] + ",\"hash\":\"" + HEX(SHA-256(BODY)) + "\"}" + "\n"
// where BODY is the record serialised as compact JSON with sorted keys (nlohmann::json::dump, UTF-8,
// invalid sequences replaced by U+FFFD), including "seq" (1, 2, … across all segments) and "prev" (the
// previous record's hash in hex; 64 zeros for the first). So the hash covers every byte of the record
// but its own "hash" member, and through "prev" every record before it.
//
// Group commit: one writer thread takes every record queued while the previous write was in progress,
// writes them with one write() and one fdatasync(), then wakes their callers. A write or sync error
// fails the whole batch closed (the callers get AUDIT_UNAVAILABLE; the file is cut back to its last
// durable length) and the next batch tries again, so the log recovers without a restart.
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "codes.h"

namespace doelpoort {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  /// Appends `record` (a JSON object without "seq", "prev" or "hash") and returns once it is durable
  /// (OK, with `seq` set to its sequence number) or could not be made durable (AUDIT_UNAVAILABLE).
  /// Thread-safe; blocks the caller, never the other callers.
  virtual Status append(nlohmann::json record, std::uint64_t* seq = nullptr) = 0;
};

class AuditLog final : public AuditSink {
 public:
  /// Opens (creating) `dir`, finds the end of the existing chain and starts a new segment.
  static std::unique_ptr<AuditLog> open(const std::string& dir, std::string& error);
  ~AuditLog() override;  ///< writes what is queued, then stops

  Status append(nlohmann::json record, std::uint64_t* seq = nullptr) override;

  std::uint64_t durable_seq() const;

 private:
  struct Pending {
    nlohmann::json record;
    Status result;
    std::uint64_t seq = 0;
    bool done = false;
  };
  AuditLog() = default;
  void run();
  void commit(std::deque<Pending*>& batch);

  std::string dir_;
  int fd_ = -1;
  long long durable_size_ = 0;       // bytes of the current segment known durable
  std::uint64_t seq_ = 0;            // last durable sequence number
  std::string head_;                 // hash (hex) of the last durable record

  mutable std::mutex mu_;
  std::condition_variable wake_writer_;
  std::condition_variable wake_callers_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

/// SHA-256 of `data` in lowercase hex.
std::string sha256_hex(std::string_view data);

/// The audit line for `body` (compact JSON object with "seq" and "prev"), with its hash spliced in.
std::string seal_line(const std::string& body, std::string* hash_hex = nullptr);

}  // namespace doelpoort
