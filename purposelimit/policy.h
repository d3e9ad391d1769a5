// One immutable policy snapshot: the register, the staff list, the source mappings and the registered
// applications. Built and validated whole; the gateway swaps a shared_ptr<const Policy> to change it.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "diagnostics.h"
#include "mapping.h"
#include "register.h"
#include "staff.h"

namespace doelpoort {

/// A case-work application allowed to connect, recognised by its client certificate.
struct Application {
  std::string id;
  std::string oin;          ///< the certificate subject's serialNumber (Dutch OIN); empty = match by cn
  std::string cn;           ///< the certificate subject's commonName
  std::string fingerprint;  ///< optional SHA-256 of the DER certificate, lowercase hex without colons
  std::set<std::string> activities;  ///< activities it may use
};

struct Policy {
  std::shared_ptr<const Register> reg;
  std::shared_ptr<const Staff> staff;
  std::shared_ptr<const MappingSet> mappings;
  std::vector<Application> applications;

  const Application* find_application(const std::string& id) const;
  const Mapping* mapping_of(const std::string& source) const;
};

/// Cross-checks the parts against each other: every source an activity names is mapped and configured
/// (`configured_sources`), every field it allows exists in that mapping, every role is a known staff
/// role, every activity an application names exists.
void cross_check(const Policy& policy, const std::set<std::string>& configured_sources, Diagnostics& diags);

}  // namespace doelpoort
