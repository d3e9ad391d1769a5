// doelpoort caseload import FILE.csv: which subjects belong to which case, into the shared state store.
#include <csignal>
#include <iostream>

#include "caseload.h"
#include "commands.h"
#include "config.h"
#include "state.h"

namespace doelpoort {
namespace {

int import(const std::string& config_path, const std::string& file) {
  signal(SIGPIPE, SIG_IGN);
  Diagnostics diags;
  auto config = load_config(config_path, diags);
  if (!config) throw std::runtime_error(diags.first_error());
  if (config->state == "memory")
    throw std::runtime_error("state is \"memory\": each gateway holds its own; name the file as `caseload:` in " +
                             config_path + " and send SIGHUP, or use a redis:// state store");
  auto caseload = read_caseload(file, diags);
  if (!caseload) {
    print_diagnostics(diags);
    throw std::runtime_error(file + ": " + std::to_string(diags.error_count()) + " bad line(s); nothing imported");
  }
  std::string error;
  auto pseudonymiser = Pseudonymiser::open(config->subject_key_file, /*create=*/true, error);
  if (!pseudonymiser) throw std::runtime_error(error);
  auto state = open_state_store(config->state, error);
  if (!state) throw std::runtime_error("state: " + error);
  if (Status s = import_caseload(*state, *caseload, *pseudonymiser); !s) throw std::runtime_error(s.message());
  std::size_t subjects = 0;
  for (const auto& [c, bsns] : *caseload) subjects += bsns.size();
  std::cout << "imported " << subjects << " subject(s) in " << caseload->size() << " case(s)\n";
  return 0;
}

}  // namespace

void add_caseload_command(CLI::App& app, int& exit_code) {
  app.require_subcommand(1);
  auto config = std::make_shared<std::string>(kDefaultConfig);
  auto file = std::make_shared<std::string>();
  CLI::App* i = app.add_subcommand("import", "Import case reference -> BSN pairs (CSV) into the state store");
  i->add_option("--config", *config, "Configuration file")->capture_default_str();
  i->add_option("FILE", *file, "CSV with lines case_reference,bsn")->required()->check(CLI::ExistingFile);
  i->callback([config, file, &exit_code] { exit_code = import(*config, *file); });
}

}  // namespace doelpoort
