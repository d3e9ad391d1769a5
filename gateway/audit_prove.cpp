#include "audit_prove.h"

#include <fstream>
#include <sstream>

#include "audit_log.h"
#include "audit_reader.h"
#include "tree_head.h"

namespace doelpoort {
namespace {

nlohmann::json hexes(const std::vector<merkle::Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hashes) out.push_back(merkle::hex(h));
  return out;
}

// The latest signed tree head, or one of exactly `size` records.
std::optional<TreeHead> tree_head(const std::string& dir, std::uint64_t size) {
  std::ifstream in(dir + "/tree-heads.jsonl");
  std::optional<TreeHead> found;
  for (std::string line; std::getline(in, line);)
    if (auto h = TreeHead::from_json_line(line); h && (size == 0 || h->tree_size == size)) found = h;
  return found;
}

}  // namespace

bool read_audit_leaves(const std::string& dir, AuditLeaves& out, std::string& error) {
  std::error_code ec;
  const auto parts = audit_parts(dir, ec);
  if (ec) {
    error = dir + ": " + ec.message();
    return false;
  }
  for (const auto& part : parts) {
    const auto& file = part.path;
    if (part.purged) {  // only the leaf hashes are left
      if (std::filesystem::exists(dir + "/" + file.stem().string() + ".jsonl")) continue;
      std::ifstream in(file);
      std::string line;
      std::getline(in, line);
      for (merkle::Hash leaf{}; std::getline(in, line) && merkle::from_hex(line, leaf);) {
        out.hashes.push_back(leaf);
        out.inquiry_ids.emplace_back();
      }
      continue;
    }
    SegmentText text;
    if (!read_segment(file, text, ec)) {
      error = file.string() + ": " + ec.message();
      return false;
    }
    std::istringstream in(std::move(text.records));  // a torn last write is left out
    std::string body, hash;
    for (std::string line; std::getline(in, line);) {
      if (!unseal_line(line, body, hash)) {
        error = file.string() + ": a record is not sealed; run doelpoort audit verify";
        return false;
      }
      out.hashes.push_back(merkle::leaf_hash(body));  // recomputed, not taken from the record's claim
      auto record = nlohmann::json::parse(body, nullptr, false);
      out.inquiry_ids.push_back(record.is_object() ? record.value("inquiry_id", "") : "");
    }
  }
  return true;
}

bool prove_inclusion(const std::string& dir, const std::string& inquiry_id, std::uint64_t seq, std::uint64_t tree_size,
                     nlohmann::json& out, std::string& error) {
  AuditLeaves leaves;
  if (!read_audit_leaves(dir, leaves, error)) return false;
  const auto head = tree_head(dir, tree_size);
  if (tree_size == 0) {
    if (!head) {
      error = dir + ": no signed tree head yet";
      return false;
    }
    tree_size = head->tree_size;
  }
  if (tree_size > leaves.hashes.size()) {
    error = "the log holds " + std::to_string(leaves.hashes.size()) + " records, fewer than " + std::to_string(tree_size);
    return false;
  }
  const merkle::Hash root = merkle::root(leaves.hashes, 0, tree_size);
  out = {{"tree_size", tree_size}, {"root", merkle::hex(root)}, {"records", nlohmann::json::array()}};
  if (head && head->tree_size == tree_size) out["tree_head"] = nlohmann::json::parse(head->to_json_line());
  for (std::uint64_t i = 0; i < tree_size; ++i) {
    const bool wanted = inquiry_id.empty() ? i + 1 == seq : leaves.inquiry_ids[i] == inquiry_id;
    if (!wanted) continue;
    auto proof = merkle::inclusion_proof(leaves.hashes, i, tree_size);
    if (!merkle::verify_inclusion(i, tree_size, leaves.hashes[i], proof, root)) {
      error = "internal error: the proof of record " + std::to_string(i + 1) + " does not verify";
      return false;
    }
    out["records"].push_back({{"seq", i + 1}, {"leaf_index", i}, {"leaf_hash", merkle::hex(leaves.hashes[i])}, {"proof", hexes(proof)}});
  }
  if (out["records"].empty()) {
    error = inquiry_id.empty() ? "no record " + std::to_string(seq) + " within the first " + std::to_string(tree_size)
                               : "no record of inquiry " + inquiry_id + " within the first " + std::to_string(tree_size);
    return false;
  }
  return true;
}

bool prove_consistency(const std::string& dir, std::uint64_t old_size, std::uint64_t new_size, nlohmann::json& out,
                       std::string& error) {
  AuditLeaves leaves;
  if (!read_audit_leaves(dir, leaves, error)) return false;
  if (old_size == 0 || old_size > new_size || new_size > leaves.hashes.size()) {
    error = "need 0 < OLD <= NEW <= " + std::to_string(leaves.hashes.size()) + " (the records in the log)";
    return false;
  }
  const merkle::Hash old_root = merkle::root(leaves.hashes, 0, old_size), new_root = merkle::root(leaves.hashes, 0, new_size);
  auto proof = merkle::consistency_proof(leaves.hashes, old_size, new_size);
  if (!merkle::verify_consistency(old_size, new_size, proof, old_root, new_root)) {
    error = "internal error: the consistency proof does not verify";
    return false;
  }
  out = {{"old_size", old_size}, {"old_root", merkle::hex(old_root)}, {"new_size", new_size},
         {"new_root", merkle::hex(new_root)}, {"proof", hexes(proof)}};
  return true;
}

}  // namespace doelpoort
