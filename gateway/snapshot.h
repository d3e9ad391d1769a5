// The immutable state every inquiry is decided with: the policy (register, staff, mappings,
// applications) and the mappings' compiled XPaths. Built and validated whole, then published by
// swapping one shared_ptr; an inquiry holds its snapshot from decision to audit.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config.h"
#include "diagnostics.h"
#include "minimiser.h"
#include "policy.h"

namespace doelpoort {

struct Snapshot {
  Policy policy;
  /// A candidate register decided beside the live one (shadow mode): recorded in audit, never enforced.
  std::optional<Policy> shadow;
  std::map<std::string, std::unique_ptr<CompiledMapping>> compiled;  ///< source -> compiled mapping

  const CompiledMapping* compiled_for(const std::string& source) const {
    auto it = compiled.find(source);
    return it == compiled.end() ? nullptr : it->second.get();
  }
};

/// Loads the register, staff list and mappings named by `config`, cross-checks them and compiles the
/// mappings. Reports every problem; returns null when there was any error.
std::shared_ptr<const Snapshot> load_snapshot(const GatewayConfig& config, Diagnostics& diags);

}  // namespace doelpoort
