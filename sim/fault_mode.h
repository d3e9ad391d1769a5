// How the simulator may misbehave on purpose, to test the gateway's handling of a broken registry
// (`doelpoort-sim serve --fault MODE[:SERVICE]`). The seam: the request handler always builds a correct
// reply; sim_server's deliver() decides how (or whether) it reaches the client. A fault applies to the
// POSTs of one service, or of every service when none is named; GET (WSDL, /_sim/stats) is never
// affected, and every POST is still counted in /_sim/stats.
//
//   hang      read the request, never answer (until the client closes or the simulator stops)
//   slow      send the whole answer one byte every 200 ms (a read timer that restarts never fires)
//   reset     send the header and half the body, then reset the connection (SO_LINGER 0, no close_notify)
//   garbage   HTTP 200, text/xml, with a body that is not XML
//   http500   HTTP 500 with an HTML error page instead of a SOAP Fault
//   fault200  HTTP 200 carrying a SOAP Fault with an FWI fwi:Fout (a registry-side error)
//   close     close the connection without answering
// Adding one: a row in kFaultModes (fault_mode.cpp), and a case in deliver() or damaged_reply().
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "request_handler.h"

namespace doelpoort::sim {

enum class FaultMode { kNone, kHang, kSlow, kReset, kGarbage, kHttp500, kFault200, kClose };

/// The pause between two bytes in `slow` mode.
inline constexpr std::chrono::milliseconds kDripInterval{200};

struct FaultSpec {
  FaultMode mode = FaultMode::kNone;
  std::string service;  ///< a service name ("BRPDossierPersoonGSD-v0200"); empty: every service

  /// Whether a POST to `path` (request target, query ignored) misbehaves.
  bool applies_to_post(std::string_view path) const;
};

/// "MODE" or "MODE:SERVICE" (the service by its name or its stats key, e.g. "BRPDossierPersoonGSD");
/// nullopt when the mode or the service is unknown.
std::optional<FaultSpec> parse_fault_spec(std::string_view text);

/// The mode names, "none|hang|...", for usage and error messages.
std::string fault_mode_names();

/// For the modes that change what is said rather than how (garbage, http500, fault200): the reply that
/// replaces `reply` to a POST to `path`. Any other mode returns `reply` unchanged.
HttpReply damaged_reply(FaultMode mode, const HttpReply& reply, std::string_view path);

/// `reply` as the raw bytes of an HTTP/1.1 response (status line, Content-Type, Content-Length,
/// Connection: close, body), for the modes that send it themselves. `header_size` receives the
/// length of everything before the body.
std::string raw_http_response(const HttpReply& reply, std::size_t& header_size);

}  // namespace doelpoort::sim
