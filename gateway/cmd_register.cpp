// doelpoort register publish: the citizen-facing register, from the register that decides inquiries.
#include <fstream>
#include <iostream>

#include "commands.h"
#include "config.h"
#include "mapping.h"
#include "publish.h"
#include "register.h"

namespace doelpoort {
namespace {

struct PublishArgs {
  std::string config = kDefaultConfig;
  std::string format = "markdown";
  std::string out;
};

int publish(const PublishArgs& a) {
  Diagnostics diags;
  auto config = load_config(a.config, diags);
  auto reg = config ? load_register(config->register_file, diags) : nullptr;
  auto mappings = config ? load_mappings(config->mappings_dir, diags) : nullptr;
  if (!reg || !mappings) {
    print_diagnostics(diags);
    throw std::runtime_error("cannot publish: " + diags.first_error());
  }
  const std::string text = publish_markdown(*reg, *mappings);
  if (a.out.empty()) {
    std::cout << text;
  } else if (!(std::ofstream(a.out) << text)) {
    throw std::runtime_error("cannot write " + a.out);
  }
  return 0;
}

}  // namespace

void add_register_command(CLI::App& app, int& exit_code) {
  app.require_subcommand(1);
  auto a = std::make_shared<PublishArgs>();
  CLI::App* p = app.add_subcommand("publish", "Render the register of processing activities for the public");
  p->add_option("--config", a->config, "Configuration file")->capture_default_str();
  p->add_option("--format", a->format, "Output format")->check(CLI::IsMember({"markdown"}))->capture_default_str();
  p->add_option("--out", a->out, "Write to this file instead of standard output");
  p->callback([a, &exit_code] { exit_code = publish(*a); });
}

}  // namespace doelpoort
