#include "audit_verify.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>

#include "audit_log.h"
#include "audit_reader.h"
#include "merkle.h"
#include "tree_head.h"

namespace doelpoort {
namespace fs = std::filesystem;

namespace {

std::string when(const TreeHead& h) {
  const std::time_t t = static_cast<std::time_t>(h.timestamp_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

AuditVerifyReport verify_audit(const std::string& dir, const std::string& public_key) {
  AuditVerifyReport r;
  auto fail = [&](const std::string& where, const std::string& what) {
    r.ok = false;
    r.first_problem = where + ": " + what;
    return r;
  };

  // The signed tree heads, in the order they were written.
  std::unique_ptr<TreeHeadVerifier> verifier;
  if (!public_key.empty()) {
    std::string error;
    verifier = TreeHeadVerifier::open(public_key, error);
    if (!verifier) return fail(public_key, error);
  }
  std::vector<TreeHead> heads;
  const std::string heads_file = dir + "/tree-heads.jsonl";
  {
    std::ifstream in(heads_file, std::ios::binary);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      auto h = TreeHead::from_json_line(line);
      if (!h) {
        if (in.eof()) {
          r.warnings.push_back(heads_file + ":" + std::to_string(n) + ": torn last tree head ignored");
          break;
        }
        return fail(heads_file + ":" + std::to_string(n), "not a tree head");
      }
      if (verifier && !verifier->verify(*h))
        return fail(heads_file + ":" + std::to_string(n), "signature does not verify with " + public_key);
      if (!heads.empty() && h->tree_size < heads.back().tree_size)
        return fail(heads_file + ":" + std::to_string(n), "tree size went down: a head was removed or reordered");
      heads.push_back(*h);
    }
  }
  r.heads_authenticated = verifier != nullptr && !heads.empty();
  if (!verifier && !heads.empty())
    r.warnings.push_back("tree head signatures not checked: give the log's public key (--public-key)");

  std::error_code ec;
  const auto segments = audit_segments(dir, ec);
  if (ec) return fail(dir, ec.message());
  std::string prev(64, '0');
  std::uint64_t seq = 0;
  merkle::Frontier tree;
  std::size_t next_head = 0;
  for (const auto& file : segments) {
    ++r.segments;
    std::ifstream in(file, std::ios::binary);
    std::string line, body, hash;
    std::uint64_t line_no = 0;
    bool first = true;
    while (std::getline(in, line)) {
      ++line_no;
      const std::string where = file.string() + ":" + std::to_string(line_no);
      if (in.eof()) {  // no newline: the write was torn by a crash before it became durable
        r.warnings.push_back(where + ": torn last write (incomplete record, never acknowledged) ignored");
        break;
      }
      if (!unseal_line(line, body, hash)) return fail(where, "record is not sealed (no trailing hash)");
      if (sha256_hex(body) != hash) return fail(where, "hash mismatch: the record was changed");
      auto record = nlohmann::json::parse(body, nullptr, false);
      if (!record.is_object() || !record["seq"].is_number_unsigned() || !record["prev"].is_string())
        return fail(where, "record is not a JSON object with seq and prev");
      const auto s = record["seq"].get<std::uint64_t>();
      if (first) {
        char expect[64];
        std::snprintf(expect, sizeof expect, "segment-%012llu.jsonl", static_cast<unsigned long long>(s));
        if (file.filename() != expect)
          return fail(where, "segment name does not match its first record (seq " + std::to_string(s) + ")");
        first = false;
      }
      if (s != seq + 1)
        return fail(where, "sequence " + std::to_string(s) + " where " + std::to_string(seq + 1) +
                               " was expected: a record is missing or out of order");
      if (record["prev"].get<std::string>() != prev)
        return fail(where, "chain broken: prev does not match the previous record's hash");
      seq = s;
      prev = hash;
      ++r.records;
      tree.append(merkle::leaf_hash(line));
      for (; next_head < heads.size() && heads[next_head].tree_size == tree.size(); ++next_head) {
        if (heads[next_head].root != tree.root())
          return fail(where, "records 1.." + std::to_string(tree.size()) + " do not match the tree head signed at " +
                                 when(heads[next_head]) + ": the log was rewritten after it was signed");
        ++r.tree_heads;
      }
    }
  }
  if (next_head < heads.size()) {
    const TreeHead& h = heads[next_head];
    return fail(heads_file, "the log ends at record " + std::to_string(tree.size()) + " but the tree head signed at " +
                                when(h) + " covers " + std::to_string(h.tree_size) +
                                " records: records were removed from its end");
  }
  if (fs::exists(dir + "/quarantine"))
    for (const auto& q : fs::directory_iterator(dir + "/quarantine"))
      r.warnings.push_back(q.path().string() + ": a torn write quarantined at start-up (not evidence)");
  return r;
}

}  // namespace doelpoort
