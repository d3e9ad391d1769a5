// The state store named by the configuration's `state`: "memory" or a redis:// URL.
#pragma once

#include <memory>
#include <string>

#include "caseload.h"
#include "pseudonym.h"
#include "state_store.h"

namespace doelpoort {

/// Null and `error` when the URL is malformed or the store cannot be created.
std::shared_ptr<StateStore> open_state_store(const std::string& spec, std::string& error);

/// Stores `caseload` with every BSN pseudonymised (the store never holds a BSN).
Status import_caseload(StateStore& state, const Caseload& caseload, const Pseudonymiser& pseudonymiser);

}  // namespace doelpoort
