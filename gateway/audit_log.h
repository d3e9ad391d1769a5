// The audit log: the organisation's evidence of every inquiry, permitted or denied.
//
// Files in DIR:
//   segment-<first seq, 12 digits>.jsonl   records, one JSON object per line, append-only. A new segment
//                                          starts at every start of the gateway and when one passes
//                                          `segment_max_bytes`.
//   tree-heads.jsonl                       signed tree heads over all records so far (tree_head.h)
//   quarantine/                            the bytes of a torn last write found at start-up (never part
//                                          of the log: it was not durable, so never acknowledged)
//
// What is hashed, exactly. A record's line is
//     BODY[0 .. len-2] + ",\"hash\":\"" + HEX(SHA-256(BODY)) + "\"}"            (then "\n")
// where BODY is the record serialised as compact JSON with sorted keys (nlohmann::json::dump, UTF-8,
// invalid sequences replaced by U+FFFD), including "seq" (1, 2, … across all segments) and "prev" (the
// previous record's "hash"; 64 zeros for the first). So "hash" covers every byte of the record but itself,
// and through "prev" every record before it: `audit verify` names the first record that was changed.
// Each line (without its "\n") is also a leaf of an RFC 9162 Merkle tree (merkle.h) whose root is signed
// in the tree heads: a record changed and re-chained, removed, reordered or cut off the end no longer
// matches a head signed before.
//
// Durability: one writer thread takes every record queued while it was busy, writes them with one
// write() and makes them durable with one fdatasync() (group commit), then wakes their callers. A write
// or sync error fails the whole batch closed (its callers get AUDIT_UNAVAILABLE, the file is cut back to
// its last durable length) and the next batch tries again, so the log recovers once the disk does.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "codes.h"
#include "merkle.h"
#include "tree_head.h"

namespace doelpoort {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  /// Appends `record` (a JSON object without "seq", "prev" or "hash") and returns once it is durable
  /// (OK, with `seq` set to its sequence number) or could not be made durable (AUDIT_UNAVAILABLE).
  /// Thread-safe; blocks the caller, never the other callers.
  virtual Status append(nlohmann::json record, std::uint64_t* seq = nullptr) = 0;
};

struct AuditOptions {
  std::string dir;
  std::string signing_key;             ///< Ed25519 PEM; made on first start when absent
  std::uint64_t tree_head_every = 1000;  ///< records between signed tree heads, at most
  std::chrono::milliseconds tree_head_interval{1000};  ///< time between tree heads, at most (when new records)
  long long segment_max_bytes = 64LL << 20;
  bool sync = true;  ///< fdatasync before acknowledging; false only for benchmarks
};

class AuditLog final : public AuditSink {
 public:
  /// Opens (creating) the log in options.dir: quarantines a torn last write, rebuilds the Merkle tree
  /// over the existing records and starts a new segment. Null and `error` when it cannot.
  static std::unique_ptr<AuditLog> open(const AuditOptions& options, std::string& error);
  ~AuditLog() override;  ///< writes what is queued, signs a last tree head, then stops

  Status append(nlohmann::json record, std::uint64_t* seq = nullptr) override;

  std::uint64_t durable_seq() const;
  /// Whether the last write succeeded (for /readyz).
  bool healthy() const;

 private:
  struct Pending {
    nlohmann::json record;
    Status result;
    std::uint64_t seq = 0;
    bool done = false;
  };
  explicit AuditLog(AuditOptions options) : options_(std::move(options)) {}
  bool open_segment(std::string& error);
  void run();
  void commit(std::deque<Pending*>& batch);
  void sign_tree_head();

  AuditOptions options_;
  std::unique_ptr<TreeHeadSigner> signer_;
  int fd_ = -1;
  int heads_fd_ = -1;
  long long durable_size_ = 0;  // bytes of the current segment known durable
  merkle::Frontier tree_;       // over every durable record
  std::uint64_t signed_size_ = 0;
  std::chrono::steady_clock::time_point last_head_ = std::chrono::steady_clock::now();

  mutable std::mutex mu_;  // guards the members below
  std::uint64_t seq_ = 0;  // last durable sequence number
  std::string head_;       // "hash" of the last durable record
  bool healthy_ = true;
  std::condition_variable wake_writer_;
  std::condition_variable wake_callers_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

/// SHA-256 of `data` in lowercase hex.
std::string sha256_hex(std::string_view data);

/// The audit line for `body` (compact JSON object with "seq" and "prev"), with its hash spliced in, no "\n".
std::string seal_line(const std::string& body, std::string* hash_hex = nullptr);

/// Splits a sealed line into the body its hash covers and the hash it claims; false when not sealed.
bool unseal_line(const std::string& line, std::string& body, std::string& hash_hex);

}  // namespace doelpoort
