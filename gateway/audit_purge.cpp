#include "audit_purge.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "audit_reader.h"
#include "inquiry.h"

namespace doelpoort {
namespace fs = std::filesystem;

namespace {

bool write_durably(const std::string& path, const std::string& text, int flags, std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0640);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) error = path + ": " + std::strerror(errno);
  return ok;
}

bool sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool ok = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  return ok;
}

}  // namespace

std::string purge_signed_bytes(const nlohmann::json& statement) {
  nlohmann::json s = statement;
  s.erase("signature");
  return "doelpoort purge v1\n" + s.dump();
}

bool purge_audit(const std::string& dir, const std::string& before, const TreeHeadSigner& signer, PurgeReport& report,
                 std::string& error) {
  if (before.size() != 10 || before[4] != '-' || before[7] != '-') {
    error = "--before must be a date, YYYY-MM-DD";
    return false;
  }
  std::error_code ec;
  const auto segments = audit_segments(dir, ec);
  if (ec) {
    error = dir + ": " + ec.message();
    return false;
  }
  nlohmann::json statement = {{"time", rfc3339_now()}, {"before", before}, {"segments", nlohmann::json::array()}};
  fs::create_directories(dir + "/purged", ec);
  // Oldest first, and stop at the first segment that holds a record to keep: the log stays one sequence.
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    SegmentText text;
    if (!read_segment(segments[i], text, ec) || !text.torn.empty()) {
      error = segments[i].string() + ": unreadable; run doelpoort audit verify first";
      return false;
    }
    std::istringstream in(std::move(text.records));
    std::string leaves, line, body, hash, last_hash;
    std::uint64_t first = 0, last = 0, records = 0;
    bool keep = false;
    while (std::getline(in, line)) {
      auto r = nlohmann::json::parse(line, nullptr, false);
      if (!r.is_object() || !unseal_line(line, body, hash)) {
        error = segments[i].string() + ": unreadable record; run doelpoort audit verify first";
        return false;
      }
      const std::string day = r.value("time", "").substr(0, 10);
      if (day.size() != 10 || day >= before) keep = true;  // a record without a date is never purged
      if (first == 0) first = r.value("seq", 0ULL);
      last = r.value("seq", 0ULL);
      last_hash = hash;
      leaves += hash + "\n";
      ++records;
    }
    if (keep || records == 0) break;
    const std::string name = segments[i].filename().string();
    const nlohmann::json header = {{"segment", name}, {"first_seq", first}, {"last_seq", last}, {"records", records},
                                   {"last_hash", last_hash}};
    const std::string leaves_file = header.dump() + "\n" + leaves;
    const std::string target = dir + "/purged/" + segments[i].stem().string() + ".leaves";
    if (!write_durably(target, leaves_file, O_TRUNC, error)) return false;
    statement["segments"].push_back({{"segment", name}, {"first_seq", first}, {"last_seq", last}, {"records", records},
                                     {"leaves_sha256", sha256_hex(leaves_file)}});
    report.segments += 1;
    report.records += records;
  }
  if (report.segments == 0) return true;
  // The statement is durable before any record is deleted: a purge interrupted half-way leaves segments
  // that are both present and listed, which verify accepts.
  statement["key_id"] = signer.key_id();
  statement["signature"] = signer.sign_bytes(purge_signed_bytes(statement));
  if (!write_durably(dir + "/purges.jsonl", statement.dump() + "\n", O_APPEND, error)) return false;
  for (const auto& s : statement["segments"]) fs::remove(dir + "/" + s["segment"].get<std::string>(), ec);
  if (ec || !sync_dir(dir) || !sync_dir(dir + "/purged")) {
    error = dir + ": cannot remove the purged segments: " + (ec ? ec.message() : std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace doelpoort
