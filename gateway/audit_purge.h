// `doelpoort audit purge --before DATE`: the only way records leave the audit log, when their retention
// period is over. It removes whole segments whose every record is older than DATE, from the oldest on
// (never the newest segment, which a running gateway may be writing), and keeps what the evidence needs:
//
//   DIR/purged/segment-<first seq>.leaves   line 1: {"segment","first_seq","last_seq","records","last_hash"}
//                                           then each record's leaf hash (its "hash"), one per line
//   DIR/purges.jsonl                        one signed statement per purge:
//       {"time","before","segments":[{"segment","first_seq","last_seq","records","leaves_sha256"}],
//        "key_id","signature"}
//
// The signature (Ed25519, the tree-head key) covers, exactly: "doelpoort purge v1\n" followed by the
// statement without "signature", as compact JSON with sorted keys. So the Merkle tree and every signed tree
// head still verify after a purge (the leaves remain), the content is gone, and what was purged, when and
// under which cut-off date is itself signed evidence.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tree_head.h"

namespace doelpoort {

struct PurgeReport {
  std::size_t segments = 0;
  std::size_t records = 0;
};

/// Purges the segments of the log in `dir` whose records are all from before `before` (YYYY-MM-DD, UTC).
bool purge_audit(const std::string& dir, const std::string& before, const TreeHeadSigner& signer, PurgeReport& report,
                 std::string& error);

/// The bytes a purge statement's signature covers.
std::string purge_signed_bytes(const nlohmann::json& statement);

}  // namespace doelpoort
