// A caseload file: which subjects belong to which case (Suwinet's "whitelist"), as CSV:
//   case_reference,bsn
//   Z-2026-0042,111222333
// One pair per line; a header line is optional; blank lines and lines starting with # are skipped.
// Every BSN must pass the 11-proef. Any bad line refuses the whole file (nothing is imported).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "diagnostics.h"

namespace doelpoort {

using Caseload = std::map<std::string, std::set<std::string>>;  ///< case reference -> BSNs

std::optional<Caseload> read_caseload(const std::string& path, Diagnostics& diags);

}  // namespace doelpoort
