// How the simulator's transport may misbehave on purpose, to test the gateway's handling of a broken
// registry. The seam: the request handler always builds a correct reply; sim_server's deliver() decides
// how (or whether) it reaches the client. Only kNone exists yet. Planned for `serve --fault MODE`:
//   hang       read the request, never answer (gateway timeout)
//   slow-drip  answer a few bytes at a time (read timeout)
//   reset      close with RST instead of answering
//   garbage    200 with a body that is not XML
//   http-500   500 with an HTML error page instead of a SOAP Fault
// Adding one: an enumerator here, its name in parse_fault_mode(), a case in deliver().
#pragma once

#include <optional>
#include <string_view>

namespace doelpoort::sim {

enum class FaultMode { kNone };

/// The mode named `name` ("none"), or nullopt.
inline std::optional<FaultMode> parse_fault_mode(std::string_view name) {
  if (name == "none") return FaultMode::kNone;
  return std::nullopt;
}

}  // namespace doelpoort::sim
