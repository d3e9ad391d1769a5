// `doelpoort audit verify`: recomputes every record's hash and the chain between them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace doelpoort {

struct AuditVerifyReport {
  bool ok = true;
  std::uint64_t records = 0;
  std::uint64_t segments = 0;
  std::string first_problem;          ///< "file:line: what is wrong" for the first bad record
  std::vector<std::string> warnings;  ///< e.g. a torn last write after a crash, which is not evidence
};

/// Verifies the log in `dir` (see audit_log.h for what each hash covers).
AuditVerifyReport verify_audit(const std::string& dir);

}  // namespace doelpoort
