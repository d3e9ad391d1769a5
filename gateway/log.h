// Operational log: one JSON object per line on stderr ({"time","level","event",...fields}).
// Never log a BSN or a field value; client addresses go through anonymise_ip first.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace doelpoort::log {

enum class Level { Debug, Info, Warn, Error };

void set_min_level(Level level);
void write(Level level, std::string_view event, nlohmann::json fields = nlohmann::json::object());

inline void info(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
  write(Level::Info, event, std::move(fields));
}
inline void warn(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
  write(Level::Warn, event, std::move(fields));
}
inline void error(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
  write(Level::Error, event, std::move(fields));
}

/// An IPv4 address with its last two octets zeroed (10.1.2.3 -> 10.1.0.0); IPv6 keeps its first 48 bits.
std::string anonymise_ip(std::string_view address);

}  // namespace doelpoort::log
