// doelpoort audit verify DIR...: recompute the hash chain of each audit log.
#include <iostream>

#include "audit_verify.h"
#include "commands.h"

namespace doelpoort {
namespace {

int verify(const std::vector<std::string>& dirs) {
  int bad = 0;
  for (const auto& dir : dirs) {
    AuditVerifyReport r = verify_audit(dir);
    for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
    if (r.ok) {
      std::cout << dir << ": OK (" << r.records << " records in " << r.segments << (r.segments == 1 ? " segment)\n" : " segments)\n");
    } else {
      std::cerr << dir << ": FAILED: " << r.first_problem << "\n";
      ++bad;
    }
  }
  return bad == 0 ? 0 : 1;
}

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  app.require_subcommand(1);
  auto dirs = std::make_shared<std::vector<std::string>>();
  CLI::App* v = app.add_subcommand("verify", "Recompute every record's hash and the chain; exit 1 on the first bad record");
  v->add_option("DIR", *dirs, "Audit log folder(s)")->required()->check(CLI::ExistingDirectory);
  v->callback([dirs, &exit_code] { exit_code = verify(*dirs); });
}

}  // namespace doelpoort
