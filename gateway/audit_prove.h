// `doelpoort audit prove`: RFC 9162 proofs over an audit log, for whoever holds a tree head: that a record
// is in the log (inclusion), and that a later log extends an earlier one without rewriting it (consistency).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "merkle.h"

namespace doelpoort {

/// Every leaf of the log in `dir`, in order, with the sequence number and inquiry id of its record.
struct AuditLeaves {
  std::vector<merkle::Hash> hashes;
  std::vector<std::string> inquiry_ids;
};
bool read_audit_leaves(const std::string& dir, AuditLeaves& out, std::string& error);

/// Inclusion proofs of every record of inquiry `inquiry_id` (or of record `seq` when inquiry_id is empty)
/// in the tree of the first `tree_size` records (0: the latest signed tree head). Each proof is checked
/// before it is returned. JSON: {"tree_size","root","tree_head"?,"records":[{"seq","leaf_hash","proof":[..]}]}
bool prove_inclusion(const std::string& dir, const std::string& inquiry_id, std::uint64_t seq, std::uint64_t tree_size,
                     nlohmann::json& out, std::string& error);

/// The consistency proof between the trees of the first `old_size` and `new_size` records.
bool prove_consistency(const std::string& dir, std::uint64_t old_size, std::uint64_t new_size, nlohmann::json& out,
                       std::string& error);

}  // namespace doelpoort
