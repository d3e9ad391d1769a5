#include "audit_verify.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <sstream>
#include <fstream>
#include <memory>

#include "audit_log.h"
#include "audit_purge.h"
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

  // Signed statements of what was purged: segment name -> the hash of its leaves file.
  std::map<std::string, std::string> purged_leaves;
  {
    std::ifstream in(dir + "/purges.jsonl");
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      auto s = nlohmann::json::parse(line, nullptr, false);
      const std::string where = dir + "/purges.jsonl:" + std::to_string(n);
      if (!s.is_object() || !s["segments"].is_array() || !s["signature"].is_string())
        return fail(where, "not a purge statement");
      if (verifier && !verifier->verify_bytes(purge_signed_bytes(s), s["signature"].get<std::string>()))
        return fail(where, "purge statement's signature does not verify with " + public_key);
      for (const auto& seg : s["segments"]) purged_leaves[seg.value("segment", "")] = seg.value("leaves_sha256", "");
    }
  }

  std::error_code ec;
  const auto parts = audit_parts(dir, ec);
  if (ec) return fail(dir, ec.message());
  std::string prev(64, '0');
  std::uint64_t seq = 0;
  merkle::Frontier tree;
  std::size_t next_head = 0;
  auto check_heads = [&](const std::string& where) {
    for (; next_head < heads.size() && heads[next_head].tree_size == tree.size(); ++next_head) {
      if (heads[next_head].root != tree.root()) {
        fail(where, "records 1.." + std::to_string(tree.size()) + " do not match the tree head signed at " +
                        when(heads[next_head]) + ": the log was rewritten after it was signed");
        return false;
      }
      ++r.tree_heads;
    }
    return true;
  };
  for (std::size_t pi = 0; pi < parts.size(); ++pi) {
    const AuditPart& part = parts[pi];
    if (part.purged && pi + 1 < parts.size() && parts[pi + 1].first_seq == part.first_seq && !parts[pi + 1].purged)
      continue;  // a purge interrupted before it deleted the segment: the records themselves are still here
    if (part.purged && pi > 0 && parts[pi - 1].first_seq == part.first_seq) continue;
    const std::filesystem::path& file = part.path;
    if (part.purged) {
      // Only the leaf hashes are left: they must be the ones a signed purge statement names.
      std::ifstream in(file, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      const std::string content = text.str();
      const std::string name = file.stem().string() + ".jsonl";
      auto stated = purged_leaves.find(name);
      if (stated == purged_leaves.end()) return fail(file.string(), "purged without a signed purge statement");
      if (sha256_hex(content) != stated->second) return fail(file.string(), "differs from what the purge statement signed");
      std::istringstream lines(content);
      std::string line;
      std::getline(lines, line);
      auto header = nlohmann::json::parse(line, nullptr, false);
      if (!header.is_object() || header.value("first_seq", 0ULL) != seq + 1)
        return fail(file.string(), "purged records do not continue the sequence at " + std::to_string(seq + 1));
      for (int n = 2; std::getline(lines, line); ++n) {
        merkle::Hash leaf{};
        if (!merkle::from_hex(line, leaf)) return fail(file.string() + ":" + std::to_string(n), "not a leaf hash");
        tree.append(leaf);
        ++r.purged;
        if (!check_heads(file.string() + ":" + std::to_string(n))) return r;
      }
      seq = header.value("last_seq", 0ULL);
      prev = header.value("last_hash", "");
      continue;
    }
    ++r.segments;
    SegmentText text;
    if (!read_segment(file, text, ec)) return fail(file.string(), ec.message());
    std::istringstream in(std::move(text.records));
    std::string line, body, hash;
    std::uint64_t line_no = 0;
    bool first = true;
    while (std::getline(in, line)) {
      ++line_no;
      const std::string where = file.string() + ":" + std::to_string(line_no);
      if (!unseal_line(line, body, hash)) return fail(where, "record is not sealed (no trailing hash)");
      const merkle::Hash leaf = merkle::leaf_hash(body);
      if (merkle::hex(leaf) != hash) return fail(where, "hash mismatch: the record was changed");
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
      tree.append(leaf);
      if (!check_heads(where)) return r;
    }
    if (!text.torn.empty()) {
      // A crash cut the last write short before it became durable. Only the newest segment can have one:
      // the gateway cuts it off at start-up, before it starts a new segment.
      const std::string where = file.string() + ":" + std::to_string(line_no + 1);
      if (pi + 1 < parts.size()) return fail(where, "bytes after the last record of a closed segment");
      r.warnings.push_back(where + ": torn last write (incomplete record, never acknowledged) ignored");
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
