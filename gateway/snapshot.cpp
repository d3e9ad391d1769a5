#include "snapshot.h"

#include <set>

namespace doelpoort {

std::shared_ptr<const Snapshot> load_snapshot(const GatewayConfig& config, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  auto snap = std::make_shared<Snapshot>();
  Policy& p = snap->policy;
  p.reg = load_register(config.register_file, diags);
  p.staff = load_staff(config.staff_file, diags);
  p.mappings = load_mappings(config.mappings_dir, diags);
  p.applications = config.applications;
  if (!p.reg || !p.staff || !p.mappings) return nullptr;

  std::set<std::string> configured;
  for (const auto& [name, source] : config.sources) {
    configured.insert(name);
    if (p.mapping_of(name) == nullptr)
      diags.error(config.file, "source \"" + name + "\" has no mapping in " + config.mappings_dir);
  }
  cross_check(p, configured, diags);
  if (!config.shadow_register.empty()) {
    Policy shadow = p;
    shadow.reg = load_register(config.shadow_register, diags);
    if (shadow.reg) {
      cross_check(shadow, configured, diags);
      snap->shadow = std::move(shadow);
    }
  }
  for (const auto& [source, mapping] : *p.mappings) {
    std::string error;
    auto compiled = CompiledMapping::compile(mapping, error);
    if (!compiled) {
      diags.error(mapping.file, error);
      continue;
    }
    snap->compiled.emplace(source, std::move(compiled));
  }
  if (diags.error_count() != errors_before) return nullptr;
  return snap;
}

}  // namespace doelpoort
