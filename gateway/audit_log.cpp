#include "audit_log.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "audit_reader.h"
#include "pseudonym.h"

namespace doelpoort {
namespace fs = std::filesystem;

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(md, len);
}

std::string seal_line(const std::string& body, std::string* hash_hex) {
  std::string hash = sha256_hex(body);
  std::string line;
  line.reserve(body.size() + 80);
  line.append(body, 0, body.size() - 1);  // without the closing brace
  line += ",\"hash\":\"";
  line += hash;
  line += "\"}\n";
  if (hash_hex != nullptr) *hash_hex = std::move(hash);
  return line;
}

namespace {

const std::string kGenesis(64, '0');

// The last complete line of the newest segment: where the chain continues.
bool find_chain_end(const std::string& dir, std::uint64_t& seq, std::string& head, std::string& error) {
  std::error_code ec;
  const auto segments = audit_segments(dir, ec);
  if (ec) {
    error = dir + ": " + ec.message();
    return false;
  }
  seq = 0;
  head = kGenesis;
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    std::ifstream in(*it, std::ios::binary);
    std::string line, last;
    while (std::getline(in, line))
      if (!in.eof()) last = line;  // a line without '\n' is a torn write: not part of the chain
    if (last.empty()) continue;
    auto record = nlohmann::json::parse(last, nullptr, false);
    if (!record.is_object() || !record.contains("seq") || !record.contains("hash")) {
      error = it->string() + ": last record is not readable; run doelpoort audit verify";
      return false;
    }
    seq = record["seq"].get<std::uint64_t>();
    head = record["hash"].get<std::string>();
    return true;
  }
  return true;
}

bool sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::unique_ptr<AuditLog> AuditLog::open(const std::string& dir, std::string& error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = dir + ": " + ec.message();
    return nullptr;
  }
  std::unique_ptr<AuditLog> log(new AuditLog());
  log->dir_ = dir;
  if (!find_chain_end(dir, log->seq_, log->head_, error)) return nullptr;
  char name[64];
  std::snprintf(name, sizeof name, "segment-%012llu.jsonl", static_cast<unsigned long long>(log->seq_ + 1));
  const std::string path = dir + "/" + name;
  log->fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log->fd_ < 0 || !sync_dir(dir)) {
    error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  log->durable_size_ = ::lseek(log->fd_, 0, SEEK_END);
  log->writer_ = std::thread([l = log.get()] { l->run(); });
  return log;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t AuditLog::durable_seq() const {
  std::lock_guard lock(mu_);
  return seq_;
}

Status AuditLog::append(nlohmann::json record, std::uint64_t* seq) {
  Pending p{std::move(record), {}, 0, false};
  std::unique_lock lock(mu_);
  if (stopping_) return {Code::AUDIT_UNAVAILABLE, "audit log is closing"};
  queue_.push_back(&p);
  wake_writer_.notify_one();
  wake_callers_.wait(lock, [&] { return p.done; });
  if (seq != nullptr) *seq = p.seq;
  return p.result;
}

void AuditLog::run() {
  std::deque<Pending*> batch;
  std::unique_lock lock(mu_);
  while (true) {
    wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    batch.swap(queue_);
    lock.unlock();
    commit(batch);
    lock.lock();
    for (Pending* p : batch) p->done = true;
    batch.clear();
    wake_callers_.notify_all();
  }
}

// Runs on the writer thread only; seq_ and head_ change under mu_ so durable_seq() may read them.
void AuditLog::commit(std::deque<Pending*>& batch) {
  std::uint64_t seq = seq_;
  std::string head = head_;
  std::string out;
  out.reserve(batch.size() * 1024);
  for (Pending* p : batch) {
    p->record["seq"] = ++seq;
    p->record["prev"] = head;
    p->seq = seq;
    const std::string body = p->record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += seal_line(body, &head);
  }
  const char* data = out.data();
  std::size_t left = out.size();
  bool ok = true;
  while (left > 0) {
    ssize_t n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  ok = ok && ::fdatasync(fd_) == 0;
  if (!ok) {
    const std::string why = std::strerror(errno);
    // Cut back to the durable end so the chain on disk stays whole; the next batch starts from there.
    if (::ftruncate(fd_, durable_size_) != 0) { /* the next write's error will say so again */ }
    for (Pending* p : batch) p->result = Status(Code::AUDIT_UNAVAILABLE, "audit write failed: " + why);
    return;
  }
  durable_size_ += static_cast<long long>(out.size());
  std::lock_guard lock(mu_);
  seq_ = seq;
  head_ = std::move(head);
}

}  // namespace doelpoort
