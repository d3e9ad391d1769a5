// doelpoort: purpose-limited, audited access to national registries. Entry point and command table.
#include <iostream>

#include "commands.h"
#include "diagnostics.h"

namespace doelpoort {

void print_diagnostics(const Diagnostics& diags) {
  for (const auto& d : diags.all()) std::cerr << d.to_string() << "\n";
}

namespace {

struct Command {
  const char* name;
  const char* summary;
  void (*add)(CLI::App&, int&);
};

// Every subcommand, in --help order: adding one is one line here and one add_* function.
constexpr Command kCommands[] = {
    {"serve", "Run the gateway", add_serve_command},
    {"check", "Validate the configuration, register, staff list, mappings and TLS files", add_check_command},
    {"inquire", "Send one inquiry to a gateway (a client for smoke tests)", add_inquire_command},
    {"audit", "Verify and read the audit log", add_audit_command},
    {"register", "Publish the register of processing activities", add_register_command},
    {"caseload", "Import which subjects belong to which case", add_caseload_command},
};

}  // namespace
}  // namespace doelpoort

int main(int argc, char** argv) {
  CLI::App app{"doelpoort: purpose-limited, audited access to national registries (BRP, Suwinet, UWV, RDW, ...)",
               "doelpoort"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "doelpoort 0.1.0");
  int exit_code = 0;
  for (const auto& c : doelpoort::kCommands) c.add(*app.add_subcommand(c.name, c.summary), exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "doelpoort: " << e.what() << " (see --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "doelpoort: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
