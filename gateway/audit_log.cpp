#include "audit_log.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit_reader.h"
#include "hex.h"
#include "log.h"
#include "metrics.h"

namespace doelpoort {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::size_t kHashHex = 64;
const std::string kGenesis(64, '0');

bool sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool pwrite_all(int fd, const char* data, std::size_t size, off_t at) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    at += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

std::string utc_day() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// futex(2) on a caller's word: glibc has no wrapper. Errors (EAGAIN: the word changed first; EINTR)
// need no handling: the waiter checks its word again.
void futex(std::atomic<std::uint32_t>* word, int op, std::uint32_t value) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, value, nullptr, nullptr, 0);
}

// Seals the body that makes up `text` from `start` to its end in place: its closing brace becomes
// ,"hash":"<leaf hash in hex>"}. Returns the leaf hash.
merkle::Hash seal_in_place(std::string& text, std::size_t start) {
  const merkle::Hash h = merkle::leaf_hash(std::string_view(text).substr(start));
  text.pop_back();
  text += kHashKey;
  append_hex(text, h.data(), h.size());
  text += "\"}";
  return h;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// After a crash the last segment may end in a write cut short (never durable, so never acknowledged) and
// padding (audit_reader.h). The torn bytes are moved aside into DIR/quarantine and both are cut off,
// durably, so the log on disk is whole again before a new segment starts. `text` is the segment as read;
// on success it holds the records kept (and no torn bytes), so start-up need not read the file again.
bool recover_tail(const fs::path& segment, const std::string& dir, SegmentText& text, std::string& error) {
  std::error_code ec;
  if (!read_segment(segment, text, ec)) {
    error = segment.string() + ": " + ec.message();
    return false;
  }
  if (text.padded == 0) return true;
  const std::size_t keep = text.records.size();
  if (!text.torn.empty()) {
    const std::string qdir = dir + "/quarantine";
    fs::create_directories(qdir, ec);
    const std::string qfile = qdir + "/" + segment.filename().string() + "." + std::to_string(keep) + ".torn";
    int q = ::open(qfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (q < 0 || !write_all(q, text.torn.data(), text.torn.size()) || ::fsync(q) != 0 || !sync_dir(qdir)) {
      if (q >= 0) ::close(q);
      error = qfile + ": cannot quarantine a torn write: " + std::strerror(errno);
      return false;
    }
    ::close(q);
    log::warn("audit_torn_write_quarantined", {{"segment", segment.string()}, {"bytes", text.torn.size()},
                                               {"quarantine", qfile}});
  }
  const int fd = ::open(segment.c_str(), O_WRONLY | O_CLOEXEC);
  const bool ok = fd >= 0 && ::ftruncate(fd, static_cast<off_t>(keep)) == 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) error = segment.string() + ": cannot cut off a torn write: " + std::strerror(errno);
  text.torn.clear();
  text.padded = 0;
  return ok;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(md, len);
}

std::string seal_line(const std::string& body, merkle::Hash* leaf) {
  std::string line;
  line.reserve(body.size() + kHashKey.size() + kHashHex + 2);
  line = body;
  const merkle::Hash h = seal_in_place(line, 0);
  if (leaf != nullptr) *leaf = h;
  return line;
}

bool unseal_line(const std::string& line, std::string& body, std::string& hash) {
  const std::size_t tail = kHashKey.size() + kHashHex + 2;  // ,"hash":"<64>"}
  if (line.size() < tail + 2 || line.compare(line.size() - tail, kHashKey.size(), kHashKey) != 0 ||
      line.compare(line.size() - 2, 2, "\"}") != 0)
    return false;
  hash = line.substr(line.size() - kHashHex - 2, kHashHex);
  body = line.substr(0, line.size() - tail) + "}";
  return true;
}

std::unique_ptr<AuditLog> AuditLog::open(const AuditOptions& options, std::string& error) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    error = options.dir + ": " + ec.message();
    return nullptr;
  }
  std::unique_ptr<AuditLog> log(new AuditLog(options));
  log->signer_ = TreeHeadSigner::open(options.signing_key, /*create=*/true, error);
  if (!log->signer_) return nullptr;

  // Rebuild the chain's end and the Merkle tree from what is on disk.
  const auto segments = audit_segments(options.dir, ec);
  if (ec) {
    error = options.dir + ": " + ec.message();
    return nullptr;
  }
  SegmentText newest;  // the last segment, read once: by recovery, then for the tree
  if (!segments.empty() && !recover_tail(segments.back(), options.dir, newest, error)) return nullptr;
  log->head_ = kGenesis;
  std::string last, body, hash;
  const auto parts = audit_parts(options.dir, ec);
  for (const auto& part : parts) {
    if (part.purged) {
      if (std::filesystem::exists(options.dir + "/" + part.path.stem().string() + ".jsonl")) continue;  // interrupted purge
      std::ifstream in(part.path);
      std::string line;
      std::getline(in, line);
      auto header = nlohmann::json::parse(line, nullptr, false);
      for (merkle::Hash leaf{}; std::getline(in, line) && merkle::from_hex(line, leaf);) log->tree_.append(leaf);
      if (header.is_object()) {
        log->seq_ = header.value("last_seq", log->seq_);
        log->head_ = header.value("last_hash", log->head_);
      }
      continue;
    }
    const auto& segment = part.path;
    SegmentText text;
    const bool is_newest = segment == segments.back();
    if (is_newest) text = std::move(newest);
    if ((!is_newest && !read_segment(segment, text, ec)) || !text.torn.empty()) {
      error = segment.string() + ": " + (ec ? ec.message() : "a write cut short; run doelpoort audit verify");
      return nullptr;
    }
    std::istringstream in(std::move(text.records));
    for (std::string line; std::getline(in, line);) {
      merkle::Hash leaf{};
      if (!unseal_line(line, body, hash) || !merkle::from_hex(hash, leaf)) {
        error = segment.string() + ": a record is not sealed; run doelpoort audit verify";
        return nullptr;
      }
      log->tree_.append(leaf);  // verify checks that each hash is right; here the tree is only resumed
      last = std::move(line);
    }
  }
  if (!last.empty()) {
    auto record = nlohmann::json::parse(last, nullptr, false);
    if (!record.is_object() || !record["seq"].is_number_unsigned() || !record["hash"].is_string()) {
      error = options.dir + ": the last record is not readable; run doelpoort audit verify";
      return nullptr;
    }
    log->seq_ = record["seq"].get<std::uint64_t>();
    log->head_ = record["hash"].get<std::string>();
  }

  const std::string heads = options.dir + "/tree-heads.jsonl";
  std::ifstream in(heads);
  for (std::string line; std::getline(in, line);)
    if (auto h = TreeHead::from_json_line(line)) log->signed_size_ = h->tree_size;
  log->heads_fd_ = ::open(heads.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log->heads_fd_ < 0) {
    error = heads + ": " + std::strerror(errno);
    return nullptr;
  }
  if (!log->open_segment(error)) return nullptr;
  log->writer_ = std::thread([l = log.get()] {
    pthread_setname_np(pthread_self(), "dp-audit");
    l->run();
  });
  return log;
}

bool AuditLog::open_segment(std::string& error) {
  // A full segment loses its padding, durably, before the next one exists: only the last segment of a log
  // ever has a padded tail.
  if (fd_ >= 0 && !trim_padding()) {
    error = "cannot cut the padding off the full segment: " + std::string(std::strerror(errno));
    return false;
  }
  char name[64];
  std::snprintf(name, sizeof name, "segment-%012llu.jsonl", static_cast<unsigned long long>(seq_ + 1));
  const std::string path = options_.dir + "/" + name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0 || !sync_dir(options_.dir)) {
    error = path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  durable_size_ = padded_size_ = ::lseek(fd_, 0, SEEK_END);
  segment_day_ = utc_day();
  return true;
}

// Makes room for `bytes` more after the durable end by writing padding ahead (see the header). Padding is
// only an optimisation: when the disk has no room for it, records are written past the end as before.
void AuditLog::pad_for(std::size_t bytes) {
  const long long need = durable_size_ + static_cast<long long>(bytes);
  if (need <= padded_size_) return;
  static const std::string newlines(64 << 10, '\n');
  const long long end = (need + kPadAhead) & ~4095LL;
  for (long long at = std::max(padded_size_, durable_size_); at < end;) {
    const std::size_t n = static_cast<std::size_t>(std::min<long long>(end - at, static_cast<long long>(newlines.size())));
    if (!pwrite_all(fd_, newlines.data(), n, static_cast<off_t>(at))) {
      if (::ftruncate(fd_, durable_size_) != 0) { /* the records' own write reports the disk */ }
      padded_size_ = durable_size_;
      return;
    }
    at += static_cast<long long>(n);
    padded_size_ = at;
  }
}

// Cuts the padding off the segment's end and makes that durable (roll-over and clean shutdown).
bool AuditLog::trim_padding() {
  if (padded_size_ <= durable_size_) return true;
  if (::ftruncate(fd_, durable_size_) != 0 || ::fdatasync(fd_) != 0) return false;
  padded_size_ = durable_size_;
  return true;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (writer_.joinable()) writer_.join();
  // Callers that queued while the writer made its last pass (appending during destruction is the
  // owner's bug; they are refused rather than left asleep).
  for (Pending* p = incoming_.exchange(nullptr); p != nullptr;) {
    Pending* next = p->next;
    p->result = Status(Code::AUDIT_UNAVAILABLE, "audit log is closing");
    wake(p);
    p = next;
  }
  if (fd_ >= 0 && !trim_padding())
    log::error("audit_trim_failed", {{"reason", std::strerror(errno)}});  // the next start cuts it off
  if (fd_ >= 0) ::close(fd_);
  if (heads_fd_ >= 0) ::close(heads_fd_);
}

std::uint64_t AuditLog::durable_seq() const {
  std::lock_guard lock(mu_);
  return seq_;
}

bool AuditLog::healthy() const {
  std::lock_guard lock(mu_);
  return healthy_;
}

Status AuditSink::append(const nlohmann::json& record, std::uint64_t* seq) {
  AuditRecord r;
  for (const auto& [key, value] : record.items())
    if (key != "prev" && key != "seq" && key != "hash")
      r.add_json(key, value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return append(std::move(r), seq);
}

Status AuditLog::append(AuditRecord record, std::uint64_t* seq) {
  const auto start = options_.metrics != nullptr ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  Pending p;
  p.body = record.take_open_body();  // serialised on the caller's thread; the writer adds "prev" and "seq"
  if (stopping_.load()) return {Code::AUDIT_UNAVAILABLE, "audit log is closing"};
  waiting_.fetch_add(1, std::memory_order_relaxed);
  p.next = incoming_.load(std::memory_order_relaxed);
  while (!incoming_.compare_exchange_weak(p.next, &p)) {
  }
  // The writer sets writer_idle_ before it looks at incoming_ a last time and sleeps, so either it sees
  // this record or this sees it idle (both sequentially consistent). Taking mu_ waits until it sleeps.
  if (writer_idle_.load()) {
    { std::lock_guard lock(mu_); }
    wake_writer_.notify_one();
  }
  while (p.done.load(std::memory_order_acquire) == 0) futex(&p.done, FUTEX_WAIT_PRIVATE, 0);
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  for (Pending* next : p.wake_next)
    if (next != nullptr) wake(next);
  if (options_.metrics != nullptr)
    options_.metrics->append->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (seq != nullptr) *seq = p.seq;
  return p.result;
}

void AuditLog::run() {
  std::vector<Pending*> batch;
  while (true) {
    Pending* list = incoming_.exchange(nullptr, std::memory_order_acquire);
    if (list == nullptr) {
      std::unique_lock lock(mu_);
      writer_idle_.store(true);
      wake_writer_.wait_for(lock, options_.tree_head_interval,
                            [&] { return stopping_.load() || incoming_.load() != nullptr; });
      writer_idle_.store(false);
      list = incoming_.exchange(nullptr, std::memory_order_acquire);
    }
    // Under load, a sync starts no sooner than group_commit_delay after the one before: the records
    // queued meanwhile share it. Fewer, larger syncs leave the cores to the inquiries (bench/RESULTS.md).
    if (list != nullptr && waiting_.load(std::memory_order_relaxed) >= options_.group_commit_min_waiting &&
        options_.group_commit_delay.count() > 0) {
      const auto due = last_sync_ + options_.group_commit_delay;
      if (std::chrono::steady_clock::now() < due) {
        std::this_thread::sleep_until(due);
        // Those queued meanwhile are newer than `list`: first in `batch`, which is reversed below.
        for (Pending* more = incoming_.exchange(nullptr, std::memory_order_acquire); more != nullptr; more = more->next)
          batch.push_back(more);
      }
    }
    const bool stop = stopping_.load() && list == nullptr;
    for (; list != nullptr; list = list->next) batch.push_back(list);
    std::reverse(batch.begin(), batch.end());  // the order they queued in
    if (!batch.empty()) commit(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::size_t left = 2 * i + 1;
      batch[i]->wake_next[0] = left < batch.size() ? batch[left] : nullptr;
      batch[i]->wake_next[1] = left + 1 < batch.size() ? batch[left + 1] : nullptr;
    }
    if (!batch.empty()) wake(batch.front());  // before a tree head: the records are durable already
    const bool idle = batch.empty();
    batch.clear();
    const bool due = tree_.size() - signed_size_ >= options_.tree_head_every ||
                     std::chrono::steady_clock::now() - last_head_ >= options_.tree_head_interval || stop;
    if (tree_.size() > signed_size_ && due) sign_tree_head();
    if (idle) probe();
    if (stop) return;
  }
}

// After the store the caller may see it, return and reuse its stack for the next Pending before the
// wake-up below arrives: that is a spurious wake-up of a waiter that checks its word again and sleeps.
void AuditLog::wake(Pending* p) {
  p->done.store(1, std::memory_order_release);
  futex(&p->done, FUTEX_WAKE_PRIVATE, 1);
}

// Runs on the writer thread only; seq_, head_ and healthy_ change under mu_ so other threads may read them.
void AuditLog::commit(std::vector<Pending*>& batch) {
  std::uint64_t seq;
  std::string head;
  {
    std::lock_guard lock(mu_);
    seq = seq_;
    head = head_;
  }
  // Every line is built in place in one buffer, kept across batches: each body is copied once.
  std::string& out = batch_text_;
  out.clear();
  std::vector<merkle::Hash> leaves;
  leaves.reserve(batch.size());
  char digits[24];
  for (Pending* p : batch) {
    p->seq = ++seq;
    const std::size_t start = out.size();
    out += p->body;
    if (p->body.size() > 1) out += ',';
    out += "\"prev\":\"";
    out += head;
    out += "\",\"seq\":";
    out.append(digits, std::to_chars(digits, digits + sizeof digits, seq).ptr);
    out += '}';
    leaves.push_back(seal_in_place(out, start));
    head.assign(out, out.size() - kHashHex - 2, kHashHex);
    out += '\n';
  }
  std::string error;
  bool ok = true;
  // A new segment every day and when one is full: retention (audit purge) removes whole segments.
  if (durable_size_ > 0 &&
      (durable_size_ + static_cast<long long>(out.size()) > options_.segment_max_bytes || utc_day() != segment_day_))
    ok = open_segment(error);
  if (ok) pad_for(out.size());
  ok = ok && pwrite_all(fd_, out.data(), out.size(), static_cast<off_t>(durable_size_));
  if (ok && options_.sync) {
    const auto start = std::chrono::steady_clock::now();
    last_sync_ = start;
    ok = ::fdatasync(fd_) == 0;
    if (options_.metrics != nullptr)
      options_.metrics->fsync->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (!ok) {
    const std::string why = error.empty() ? std::strerror(errno) : error;
    // Cut back to the durable end so the chain on disk stays whole; the next batch starts from there.
    // (Should that fail too, the next batch writes padding over what this one left before its records.)
    if (::ftruncate(fd_, durable_size_) != 0) { /* the next write reports the disk again */ }
    padded_size_ = durable_size_;
    for (Pending* p : batch) p->result = Status(Code::AUDIT_UNAVAILABLE, "audit write failed: " + why);
    log::error("audit_write_failed", {{"reason", why}, {"records", batch.size()}});
    if (options_.metrics != nullptr) options_.metrics->write_failures->Increment();
    last_probe_ = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    healthy_ = false;
    return;
  }
  durable_size_ += static_cast<long long>(out.size());
  padded_size_ = std::max(padded_size_, durable_size_);  // records written past the padding grew the file
  for (const auto& leaf : leaves) tree_.append(leaf);
  if (options_.metrics != nullptr) options_.metrics->records->Increment(static_cast<double>(batch.size()));
  std::lock_guard lock(mu_);
  if (!healthy_) log::info("audit_write_recovered", {});
  healthy_ = true;
  seq_ = seq;
  head_ = std::move(head);
}

// Runs on the writer thread, idle, while failing closed: can the segment grow again? Reserve 4 KiB past
// its durable end (the same file, file-size limit and disk the next batch needs) and cut it back at once.
// The log's bytes are not touched: a crash in between leaves a tail without a newline, which the next
// start quarantines like any torn write. Nothing is acknowledged on the strength of a probe; it only
// lets /readyz say "ready" again without waiting for an inquiry that a load balancer would never send.
void AuditLog::probe() {
  {
    std::lock_guard lock(mu_);
    if (healthy_) return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_probe_ < std::chrono::seconds(1)) return;
  last_probe_ = now;
  constexpr off_t kProbe = 4096;
  bool ok = ::fallocate(fd_, 0, static_cast<off_t>(durable_size_), kProbe) == 0;
  if (!ok && (errno == EOPNOTSUPP || errno == ENOSYS)) {  // a file system without fallocate: write zeros
    static const char zeros[kProbe] = {};
    ok = pwrite_all(fd_, zeros, sizeof zeros, static_cast<off_t>(durable_size_));
  }
  if (::ftruncate(fd_, durable_size_) != 0) ok = false;
  padded_size_ = durable_size_;
  if (!ok) return;
  std::lock_guard lock(mu_);
  healthy_ = true;
  log::info("audit_write_recovered", {{"by", "probe"}});
}

void AuditLog::sign_tree_head() {
  const TreeHead h = signer_->sign(tree_.size(), tree_.root(), now_ms());
  const std::string line = h.to_json_line();
  if (h.signature.empty() || !write_all(heads_fd_, line.data(), line.size()) ||
      (options_.sync && ::fdatasync(heads_fd_) != 0)) {
    log::error("audit_tree_head_failed", {{"tree_size", h.tree_size}, {"reason", std::strerror(errno)}});
    return;  // the records are durable; the next head covers them
  }
  signed_size_ = h.tree_size;
  last_head_ = std::chrono::steady_clock::now();
}

}  // namespace doelpoort
