#include "health.h"

#include "circuit_breaker.h"
#include "metrics.h"

namespace doelpoort {

nlohmann::json readiness(const HealthParts& parts, bool& ready) {
  const auto snapshot = parts.pipeline != nullptr ? parts.pipeline->snapshot() : nullptr;
  const bool config_ok = snapshot != nullptr && snapshot->policy.reg != nullptr;
  const bool audit_ok = parts.audit != nullptr && parts.audit->healthy();
  const bool state_ok = parts.state != nullptr && parts.state->healthy();
  nlohmann::json registries = nlohmann::json::object();
  bool degraded = false;
  if (parts.pipeline != nullptr) {
    for (const auto& [source, upstream] : parts.pipeline->upstreams()) {
      const UpstreamHealth h = upstream->health();
      degraded = degraded || h.breaker.state != BreakerState::kClosed;
      registries[source] = {{"circuit", name(h.breaker.state)},
                            {"consecutive_failures", h.breaker.consecutive_failures},
                            {"in_flight", h.in_flight}};
    }
  }
  ready = config_ok && audit_ok && state_ok;
  nlohmann::json config = {{"ok", config_ok}};
  if (config_ok) config["register_version"] = snapshot->policy.reg->version;
  return {{"status", ready ? "ready" : "not_ready"},
          {"degraded", degraded},
          {"checks",
           {{"config", config},
            {"audit", {{"ok", audit_ok}}},
            {"state", {{"ok", state_ok}, {"kind", parts.state_kind}}},
            {"registries", registries}}}};
}

nlohmann::json liveness(std::chrono::steady_clock::time_point started) {
  const auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  return {{"status", "alive"}, {"version", gateway_version()}, {"uptime_s", up.count()}};
}

}  // namespace doelpoort
