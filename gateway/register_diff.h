// `doelpoort register diff --replay AUDITDIR CANDIDATE.yaml`: re-decides recorded inquiries under a
// candidate register and lists those whose decision would change. Only the pure decision is replayed
// (the audit log holds no BSN, and state such as volume counters is not replayed); inquiries refused
// before the decision (unknown application, malformed, replayed) are skipped.
#pragma once

#include <string>
#include <vector>

#include "config.h"

namespace doelpoort {

struct DecisionChange {
  std::string inquiry_id, time, user, activity, source;
  std::string before, after;  ///< decision codes (OK when permitted)
  std::string reason;         ///< the candidate's message
};

struct DiffReport {
  std::size_t replayed = 0;
  std::size_t skipped = 0;
  std::vector<DecisionChange> changes;
};

/// Replays every record in `audit_dirs` against `candidate_register` with the rest of `config` (applications,
/// staff, mappings). Returns false and sets `error` when the candidate does not load.
bool diff_register(const GatewayConfig& config, const std::string& candidate_register,
                   const std::vector<std::string>& audit_dirs, DiffReport& report, std::string& error);

}  // namespace doelpoort
