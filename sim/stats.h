// Counts the POSTs the simulated registries received, so tests can prove that an inquiry the gateway
// denied never reached a registry. Thread-safe; served as JSON at GET /_sim/stats.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "services.h"

namespace doelpoort::sim {

class Stats {
 public:
  /// Counts one POST; `service` is null for a path that names no service (counted in total only).
  void count_post(const Service* service);
  /// {"total":N,"BRPDossierPersoonGSD":n1,"UWVDossierInkomstenGSD":n2}
  std::string json() const;

 private:
  std::atomic<std::uint64_t> total_{0};
  std::array<std::atomic<std::uint64_t>, kServiceCount> per_service_{};
};

}  // namespace doelpoort::sim
