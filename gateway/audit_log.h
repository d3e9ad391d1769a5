// The audit log: the organisation's evidence of every inquiry, permitted or denied.
//
// Files in DIR:
//   segment-<first seq, 12 digits>.jsonl   records, one JSON object per line, append-only. A new segment
//                                          starts at every start of the gateway, every day (UTC) and when
//                                          one passes `segment_max_bytes`.
//   purged/, purges.jsonl                  what retention removed (audit_purge.h)
//   tree-heads.jsonl                       signed tree heads over all records so far (tree_head.h)
//   quarantine/                            the bytes of a torn last write found at start-up (never part
//                                          of the log: it was not durable, so never acknowledged)
//
// What is hashed, exactly. A record's line is
//     BODY[0 .. len-2] + ",\"hash\":\"" + HEX(SHA-256(0x00 || BODY)) + "\"}"     (then "\n")
// where BODY is the record as compact JSON: its own members with sorted keys (nlohmann::json::dump, UTF-8,
// invalid sequences replaced by U+FFFD), then "prev" (the previous record's "hash"; 64 zeros for the
// first) and "seq" (1, 2, … across all segments). BODY is the record's leaf in an RFC 9162 Merkle tree
// (merkle.h), so "hash" is its leaf hash: it covers every byte of the record but itself, and through
// "prev" every record before it (`audit verify` names the first record that was changed). The tree's
// root is signed in the tree heads: a record changed and re-chained, removed, reordered or cut off the
// end no longer matches a head signed before.
//
// Durability: callers serialise their own records (in parallel) and queue them without a lock; one writer
// thread takes every record queued while it was busy, chains and hashes them, writes them with one
// write() and makes them durable with one fdatasync() (group commit), then wakes each caller (before it
// signs a tree head, which needs no caller to wait). Under load (many callers waiting) it lets a sync
// begin no sooner than a short delay after the one before, so that more records share each. A write
// or sync error fails the whole batch closed (its callers get AUDIT_UNAVAILABLE, the file is cut back to
// its last durable length) and the next batch tries again, so the log recovers once the disk does.
//
// Padding: the writer keeps 1 MiB of newlines written ahead of the active segment's last record and
// writes each batch over them, so the file does not grow with every batch and fdatasync flushes data
// only, not the file system's journal for a new file size (0.23 instead of 0.45 ms per sync at the
// median on the reference VM, see bench/RESULTS.md). The padding is cut off at roll-over and at a clean
// stop; after a crash, start-up cuts it off with any write cut short (readers stop at the first empty
// line: audit_reader.h, read_segment).
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit_record.h"
#include "codes.h"
#include "merkle.h"
#include "tree_head.h"

namespace doelpoort {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  /// Appends `record` (without "prev", "seq" or "hash") and returns once it is durable (OK, with `seq`
  /// set to its sequence number) or could not be made durable (AUDIT_UNAVAILABLE). Thread-safe; blocks
  /// the caller, never the other callers.
  virtual Status append(AuditRecord record, std::uint64_t* seq = nullptr) = 0;
  /// The same for a record given as a JSON object (tools and tests; the request path uses AuditRecord).
  Status append(const nlohmann::json& record, std::uint64_t* seq = nullptr);
  /// Whether records can be made durable now, as far as the sink knows (for /readyz).
  virtual bool healthy() const { return true; }
};

struct AuditMetrics;

struct AuditOptions {
  std::string dir;
  std::string signing_key;             ///< Ed25519 PEM; made on first start when absent
  std::uint64_t tree_head_every = 1000;  ///< records between signed tree heads, at most
  std::chrono::milliseconds tree_head_interval{1000};  ///< time between tree heads, at most (when new records)
  long long segment_max_bytes = 64LL << 20;
  bool sync = true;  ///< fdatasync before acknowledging; false only for benchmarks
  /// Group commit under load (as PostgreSQL's commit_delay and commit_siblings): while at least
  /// `group_commit_min_waiting` callers wait for their records, a sync starts no sooner than
  /// `group_commit_delay` after the one before. 0: sync whenever the writer is free.
  std::chrono::microseconds group_commit_delay{600};
  int group_commit_min_waiting = 8;
  const AuditMetrics* metrics = nullptr;  ///< append and fsync durations, records, failures (metrics.h)
};

class AuditLog final : public AuditSink {
 public:
  /// Opens (creating) the log in options.dir: quarantines a torn last write, rebuilds the Merkle tree
  /// over the existing records and starts a new segment. Null and `error` when it cannot.
  static std::unique_ptr<AuditLog> open(const AuditOptions& options, std::string& error);
  ~AuditLog() override;  ///< writes what is queued, signs a last tree head, then stops

  using AuditSink::append;
  Status append(AuditRecord record, std::uint64_t* seq = nullptr) override;

  std::uint64_t durable_seq() const;
  /// Whether the last write succeeded or, after a failure, the last recovery probe did (for /readyz).
  /// While failing closed, the writer probes once a second whether the segment can grow again
  /// (fallocate of 4 KiB past its durable end, cut back at once), so readiness returns without traffic.
  bool healthy() const override;

 private:
  struct Pending {
    std::string body;  // the record's JSON without its closing brace; "prev" and "seq" are added by the writer
    Status result;
    std::uint64_t seq = 0;
    // Set to 1 by whoever wakes this caller, who then futex-wakes it. A futex word per caller: waking one
    // caller wakes no other; the waiting thread sleeps at once (std::atomic::wait in libstdc++ spins on
    // yield first); and, unlike a condition signalled under its mutex, the woken thread does not wake
    // into a mutex the waker still holds (a second sleep and wake-up per record).
    std::atomic<std::uint32_t> done{0};
    // The writer wakes only the first caller of a batch; each caller wakes the next two (a binary tree),
    // so the writer goes on to the next batch at once and the wake-ups spread over every core.
    Pending* wake_next[2] = {nullptr, nullptr};
    Pending* next = nullptr;  // in incoming_: the caller that queued before this one
  };
  static void wake(Pending* p);
  explicit AuditLog(AuditOptions options) : options_(std::move(options)) {}
  bool open_segment(std::string& error);
  void pad_for(std::size_t bytes);
  bool trim_padding();
  void run();
  void commit(std::vector<Pending*>& batch);
  void sign_tree_head();
  void probe();

  AuditOptions options_;
  std::unique_ptr<TreeHeadSigner> signer_;
  int fd_ = -1;
  int heads_fd_ = -1;
  static constexpr long long kPadAhead = 1 << 20;
  long long durable_size_ = 0;  // bytes of the current segment known durable
  long long padded_size_ = 0;   // its size on disk: the durable records, then '\n' padding
  std::string segment_day_;     // UTC date the current segment was started
  std::string batch_text_;      // the lines of the batch being written (the writer's, reused)
  merkle::Frontier tree_;       // over every durable record
  std::uint64_t signed_size_ = 0;
  std::chrono::steady_clock::time_point last_head_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_probe_{};
  std::chrono::steady_clock::time_point last_sync_{};  // when the last fdatasync began

  mutable std::mutex mu_;  // guards the members below
  std::uint64_t seq_ = 0;  // last durable sequence number
  std::string head_;       // "hash" of the last durable record
  bool healthy_ = true;
  std::condition_variable wake_writer_;  // with mu_, only while the writer is idle
  std::atomic<bool> writer_idle_{false};
  std::atomic<bool> stopping_{false};     // set under mu_
  // Callers queue without a lock: each pushes its Pending onto this list (newest first) with one
  // compare-and-swap, and the writer takes the whole list with one exchange. Only the writer removes,
  // and only all at once, so a node cannot be popped and pushed again between a push's load and its
  // CAS (no ABA).
  std::atomic<Pending*> incoming_{nullptr};
  std::atomic<int> waiting_{0};  // callers in append() (a measure of load: see group_commit_min_waiting)
  std::thread writer_;
};

/// SHA-256 of `data` in lowercase hex.
std::string sha256_hex(std::string_view data);

/// The audit line for `body` (a compact JSON object with "prev" and "seq"): its leaf hash spliced in as
/// "hash", without "\n". `leaf` receives the leaf hash.
std::string seal_line(const std::string& body, merkle::Hash* leaf = nullptr);

/// Splits a sealed line into the body its hash covers and the hash it claims; false when not sealed.
bool unseal_line(const std::string& line, std::string& body, std::string& hash_hex);

}  // namespace doelpoort
