// `doelpoort audit verify`: recompute every record's hash, the chain between them and the Merkle tree, and
// check every signed tree head against it (and its signature, given the public key).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace doelpoort {

struct AuditVerifyReport {
  bool ok = true;
  std::uint64_t records = 0;
  std::uint64_t purged = 0;           ///< records purged (their leaf hashes checked, their content gone)
  std::uint64_t segments = 0;
  std::uint64_t tree_heads = 0;       ///< heads found and matched by the records
  bool heads_authenticated = false;   ///< every head's signature checked with the given public key
  std::string first_problem;          ///< "file:line: what is wrong" for the first bad record or head
  std::vector<std::string> warnings;  ///< e.g. a torn last write after a crash, which is not evidence
};

/// Verifies the log in `dir` (see audit_log.h for what each hash covers). With `public_key` (PEM), every
/// tree head's signature must verify with it.
AuditVerifyReport verify_audit(const std::string& dir, const std::string& public_key = "");

}  // namespace doelpoort
