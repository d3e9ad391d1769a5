// Operational log: one JSON object per line on stderr ({"time","level","event",...fields}).
//
// Rules for callers: a line about an inquiry carries its "inquiry_id" and "trace_id" (the audit record's,
// so an operator can find the record); never log a BSN, a search value or a field value; client addresses
// go through anonymise_ip first. As a last line of defence, write() masks any string value's standalone
// run of nine digits that passes the 11-proef (a BSN, say in a registry's error text) as "*********".
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

/// An IPv4 address with its last two octets zeroed (10.1.2.3 -> 10.1.0.0), as the privacy statement
/// promises for web statistics. IPv6 keeps its first 48 bits (the site prefix an ISP assigns; the subnet
/// and interface bits that can single out a household or device are zeroed): 2001:db8:1:2::3 ->
/// 2001:db8:1::. An IPv4-mapped IPv6 address (::ffff:10.1.2.3) is treated as the IPv4 address it maps.
/// Anything that is not an address gives "".
std::string anonymise_ip(std::string_view address);

/// `text` with every standalone run of exactly nine digits that passes the 11-proef replaced by
/// "*********" ("standalone": not next to another letter or digit, so ids and hashes stay intact).
std::string mask_bsns(std::string_view text);

}  // namespace doelpoort::log
