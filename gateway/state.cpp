#include "state.h"

#include "memory_state_store.h"
#include "redis_state_store.h"

namespace doelpoort {

std::shared_ptr<StateStore> open_state_store(const std::string& spec, std::string& error) {
  if (spec == "memory") return std::make_shared<MemoryStateStore>();
  RedisOptions options;
  if (!parse_redis_url(spec, options, error)) return nullptr;
  // A Redis that cannot be reached at start-up is refused (a wrong address or password shows at once);
  // a later outage denies with STATE_UNAVAILABLE until Redis returns.
  return RedisStateStore::create(options, error);
}

Status import_caseload(StateStore& state, const Caseload& caseload, const Pseudonymiser& pseudonymiser) {
  std::map<std::string, std::set<std::string>> pseudonymised;
  for (const auto& [case_ref, bsns] : caseload)
    for (const auto& bsn : bsns) pseudonymised[case_ref].insert(pseudonymiser.pseudonym(bsn));
  return state.replace_caseload(pseudonymised);
}

}  // namespace doelpoort
