#include "stats.h"

#include <nlohmann/json.hpp>

namespace doelpoort::sim {

void Stats::count_post(const Service* service) {
  total_.fetch_add(1, std::memory_order_relaxed);
  if (service != nullptr)
    per_service_[static_cast<std::size_t>(service - services().data())].fetch_add(1, std::memory_order_relaxed);
}

std::string Stats::json() const {
  nlohmann::ordered_json j;
  j["total"] = total_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < kServiceCount; ++i)
    j[std::string(services()[i].stats_key)] = per_service_[i].load(std::memory_order_relaxed);
  return j.dump() + "\n";
}

}  // namespace doelpoort::sim
