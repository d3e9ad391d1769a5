// doelpoort register publish: the citizen-facing register, from the register that decides inquiries.
#include <fstream>
#include <iostream>

#include "commands.h"
#include "config.h"
#include "mapping.h"
#include "publish.h"
#include "register.h"
#include "register_diff.h"

namespace doelpoort {
namespace {

struct PublishArgs {
  std::string config = kDefaultConfig;
  std::string format = "markdown";
  std::string out;
};

int publish(const PublishArgs& a) {
  const PublishFormat* format = find_publish_format(a.format);
  if (format == nullptr) throw std::runtime_error("unknown format \"" + a.format + "\"");  // CLI11 checked it
  Diagnostics diags;
  auto config = load_config(a.config, diags);
  auto reg = config ? load_register(config->register_file, diags) : nullptr;
  auto mappings = config ? load_mappings(config->mappings_dir, diags) : nullptr;
  if (!reg || !mappings) {
    print_diagnostics(diags);
    throw std::runtime_error("cannot publish: " + diags.first_error());
  }
  const std::string text = format->render(published_register(*reg, *mappings));
  if (a.out.empty()) {
    std::cout << text;
  } else if (!(std::ofstream(a.out, std::ios::binary) << text)) {
    throw std::runtime_error("cannot write " + a.out);
  }
  return 0;
}

struct DiffArgs {
  std::string config = kDefaultConfig;
  std::vector<std::string> audit_dirs;
  std::string candidate;
};

int diff(const DiffArgs& a) {
  Diagnostics diags;
  auto config = load_config(a.config, diags);
  if (!config) throw std::runtime_error(diags.first_error());
  DiffReport report;
  std::string error;
  if (!diff_register(*config, a.candidate, a.audit_dirs, report, error)) throw std::runtime_error(error);
  for (const auto& c : report.changes)
    std::cout << c.time << "  inquiry " << c.inquiry_id << "  " << c.user << " " << c.activity << " " << c.source
              << ": " << c.before << " -> " << c.after << (c.after == "OK" ? "" : " (" + c.reason + ")") << "\n";
  std::size_t denied = 0;
  for (const auto& c : report.changes) denied += c.after != "OK" ? 1 : 0;
  std::cout << report.replayed << " inquiries replayed against " << a.candidate << ", " << report.changes.size()
            << " would change (" << denied << " newly refused, " << report.changes.size() - denied
            << " newly permitted or refused otherwise); " << report.skipped << " skipped (refused before the decision)\n";
  return 0;
}

}  // namespace

void add_register_command(CLI::App& app, int& exit_code) {
  app.require_subcommand(1);
  auto a = std::make_shared<PublishArgs>();
  std::vector<std::string> formats;
  for (const auto& f : publish_formats()) formats.emplace_back(f.name);
  CLI::App* p = app.add_subcommand("publish", "Render the register of processing activities for the public");
  p->add_option("--config", a->config, "Configuration file")->capture_default_str();
  p->add_option("--format", a->format, "Output format: markdown, or html (one self-contained page)")
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
  p->add_option("--out", a->out, "Write to this file instead of standard output");
  p->callback([a, &exit_code] { exit_code = publish(*a); });

  auto d = std::make_shared<DiffArgs>();
  CLI::App* r = app.add_subcommand("diff", "Re-decide recorded inquiries under a candidate register; list what would change");
  r->add_option("--config", d->config, "Configuration file (applications, staff, mappings)")->capture_default_str();
  r->add_option("--replay", d->audit_dirs, "Audit log folder(s) to replay")->required()->check(CLI::ExistingDirectory);
  r->add_option("CANDIDATE", d->candidate, "Candidate register file")->required()->check(CLI::ExistingFile);
  r->callback([d, &exit_code] { exit_code = diff(*d); });
}

}  // namespace doelpoort
