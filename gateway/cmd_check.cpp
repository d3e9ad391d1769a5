// doelpoort check: everything `serve` would load, loaded and cross-checked, without serving.
#include <iostream>

#include "commands.h"
#include "config.h"
#include "snapshot.h"
#include "stdsoap2.h"
#include "xml_safe.h"

namespace doelpoort {
namespace {

int check(const std::string& path) {
  soap_ssl_init();
  xml::init();
  Diagnostics diags;
  auto config = load_config(path, diags);
  std::shared_ptr<const Snapshot> snap;
  if (config) {
    snap = load_snapshot(*config, diags);
    std::string error;
    if (!tls::make_server_context(config->tls, error)) diags.error(path, "tls: " + error);
    for (const auto& [name, source] : config->sources)
      if (!tls::make_client_context(source.tls, error)) diags.error(path, "source \"" + name + "\": " + error);
    if (config->admin.tls && !tls::make_server_context(*config->admin.tls, error)) diags.error(path, "admin tls: " + error);
  }
  print_diagnostics(diags);
  if (diags.has_errors()) {
    std::cerr << "doelpoort check: " << path << ": " << diags.error_count() << " error(s)\n";
    return 1;
  }
  std::cout << "doelpoort check: " << path << ": OK (register " << snap->policy.reg->version << ", "
            << snap->policy.reg->activities.size() << " activities, " << snap->policy.mappings->size()
            << " mapped sources, " << config->applications.size() << " applications, "
            << snap->policy.staff->members.size() << " staff)\n";
  return 0;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto config = std::make_shared<std::string>(kDefaultConfig);
  app.add_option("--config", *config, "Configuration file")->capture_default_str();
  app.callback([config, &exit_code] { exit_code = check(*config); });
}

}  // namespace doelpoort
