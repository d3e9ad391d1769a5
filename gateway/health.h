// What /healthz and /readyz say (admin_server.h serves them).
//
// Liveness: the process answers. Readiness: the gateway can answer inquiries now, which takes
//   config    a policy snapshot is loaded (register, staff, mappings, applications)
//   audit     the audit log is writable (its last write, or recovery probe, succeeded): without it every
//             inquiry is refused (AUDIT_UNAVAILABLE)
//   state     the state store answers (Redis: a PING): without it every inquiry is denied (STATE_UNAVAILABLE)
// Each registry's circuit breaker state and calls in flight are reported too, but do not make the gateway
// unready: a registry that is down fails only the inquiries to it (UPSTREAM_*), and a load balancer that
// took every gateway out of service because one registry failed would stop the inquiries to the others.
// "degraded" is true while any breaker is not closed.
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "pipeline.h"
#include "state_store.h"

namespace doelpoort {

struct HealthParts {
  const Pipeline* pipeline = nullptr;
  const AuditSink* audit = nullptr;
  StateStore* state = nullptr;
  std::string state_kind;  ///< "memory" or "redis" (never the URL: it may hold a password)
};

/// The /readyz body; `ready` is whether config, audit and state all hold.
nlohmann::json readiness(const HealthParts& parts, bool& ready);

/// The /healthz body: alive, version and uptime.
nlohmann::json liveness(std::chrono::steady_clock::time_point started);

}  // namespace doelpoort
