#include "caseload.h"

#include <fstream>

#include "bsn.h"

namespace doelpoort {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

std::optional<Caseload> read_caseload(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path);
  if (!in) {
    diags.error(path, "cannot read file");
    return std::nullopt;
  }
  const std::size_t errors_before = diags.error_count();
  Caseload caseload;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || (n == 1 && line == "case_reference,bsn")) continue;
    const std::string where = path + ":" + std::to_string(n);
    const auto comma = line.find(',');
    if (comma == std::string::npos || line.find(',', comma + 1) != std::string::npos) {
      diags.error(where, "expected case_reference,bsn");
      continue;
    }
    const std::string case_ref = trim(line.substr(0, comma)), bsn = trim(line.substr(comma + 1));
    if (case_ref.empty() || case_ref.size() > 100) {
      diags.error(where, "case reference must be 1 to 100 characters");
    } else if (!is_valid_bsn(bsn)) {
      diags.error(where, "not a valid BSN (11-proef)");
    } else {
      caseload[case_ref].insert(bsn);
    }
  }
  if (diags.error_count() != errors_before) return std::nullopt;
  return caseload;
}

}  // namespace doelpoort
