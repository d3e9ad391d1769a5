#include "audit_verify.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "audit_log.h"
#include "audit_reader.h"

namespace doelpoort {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::size_t kHashHex = 64;

/// Splits a sealed line into its hashed body and the hash it claims.
bool unseal(const std::string& line, std::string& body, std::string& hash) {
  const std::size_t tail = kHashKey.size() + kHashHex + 2;  // ,"hash":"<64>"}
  if (line.size() < tail + 2 || line.compare(line.size() - tail, kHashKey.size(), kHashKey) != 0 ||
      line.compare(line.size() - 2, 2, "\"}") != 0)
    return false;
  hash = line.substr(line.size() - kHashHex - 2, kHashHex);
  body = line.substr(0, line.size() - tail) + "}";
  return true;
}

}  // namespace

AuditVerifyReport verify_audit(const std::string& dir) {
  AuditVerifyReport r;
  std::error_code ec;
  const auto segments = audit_segments(dir, ec);
  if (ec) {
    r.ok = false;
    r.first_problem = dir + ": " + ec.message();
    return r;
  }
  std::string head(64, '0');
  std::uint64_t seq = 0;
  auto fail = [&](const fs::path& file, std::uint64_t line_no, const std::string& what) {
    r.ok = false;
    r.first_problem = file.string() + ":" + std::to_string(line_no) + ": " + what;
    return r;
  };
  for (const auto& file : segments) {
    ++r.segments;
    std::ifstream in(file, std::ios::binary);
    std::string line, body, hash;
    std::uint64_t line_no = 0;
    bool first = true;
    while (std::getline(in, line)) {
      ++line_no;
      if (in.eof()) {  // no newline: the write was torn by a crash before it became durable
        r.warnings.push_back(file.string() + ":" + std::to_string(line_no) +
                             ": torn last write (incomplete record, never acknowledged) ignored");
        break;
      }
      if (!unseal(line, body, hash)) return fail(file, line_no, "record is not sealed (no trailing hash)");
      if (sha256_hex(body) != hash) return fail(file, line_no, "hash mismatch: the record was changed");
      auto record = nlohmann::json::parse(body, nullptr, false);
      if (!record.is_object() || !record["seq"].is_number_unsigned() || !record["prev"].is_string())
        return fail(file, line_no, "record is not a JSON object with seq and prev");
      const auto s = record["seq"].get<std::uint64_t>();
      if (first) {
        const std::string expect = "segment-" + std::string(12 - std::min<std::size_t>(12, std::to_string(s).size()), '0') +
                                   std::to_string(s) + ".jsonl";
        if (file.filename() != expect)
          return fail(file, line_no, "segment name does not match its first record (seq " + std::to_string(s) + ")");
        first = false;
      }
      if (s != seq + 1)
        return fail(file, line_no, "sequence " + std::to_string(s) + " where " + std::to_string(seq + 1) +
                                       " was expected: a record is missing or out of order");
      if (record["prev"].get<std::string>() != head)
        return fail(file, line_no, "chain broken: prev does not match the previous record's hash");
      seq = s;
      head = hash;
      ++r.records;
    }
  }
  return r;
}

}  // namespace doelpoort
