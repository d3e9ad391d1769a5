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
// Hostile answers (HTTP 200, text/xml): the correct answer with a payload put in, for the registry-side
// bad-input catalogue. Where a value is needed it replaces the first value of the person (ClientSuwi),
// e.g. Voornamen, so that a gateway that let it through would pass it on:
//   laughs          a DOCTYPE declaring "billion laughs" entities, the value &lol9; (10^9 "lol"s)
//   xxe             a DOCTYPE declaring an external entity at --xxe-uri, the value &xxe;
//   doctype         a DOCTYPE naming an external DTD at --xxe-uri (no entities)
//   deep            the value nested 10,000 elements deep
//   bigattr         a 10 MiB attribute on ClientSuwi
//   siblings        100,000 sibling elements after the value
//   badutf8         the value with bytes that are not UTF-8, in a document that says it is
//   oversize        a 20 MiB answer, announced by its Content-Length
//   oversizechunked the same, chunked (no length announced)
// Adding one: a row in kFaultModes (fault_mode.cpp), and a case in deliver() or damaged_reply().
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "request_handler.h"

namespace doelpoort::sim {

enum class FaultMode {
  kNone, kHang, kSlow, kReset, kGarbage, kHttp500, kFault200, kClose,
  kLaughs, kXxe, kDoctype, kDeep, kBigAttribute, kSiblings, kBadUtf8, kOversize, kOversizeChunked
};

/// The pause between two bytes in `slow` mode.
inline constexpr std::chrono::milliseconds kDripInterval{200};
/// Sizes of the hostile answers.
inline constexpr int kDeepNesting = 10000;
inline constexpr std::size_t kBigAttributeBytes = 10u << 20;
inline constexpr int kSiblingCount = 100000;
inline constexpr std::size_t kOversizeBytes = 20u << 20;
/// What the xxe and doctype modes point at unless --xxe-uri says otherwise.
inline constexpr std::string_view kDefaultXxeUri = "file:///etc/passwd";

struct FaultSpec {
  FaultMode mode = FaultMode::kNone;
  std::string service;  ///< a service name ("BRPDossierPersoonGSD-v0200"); empty: every service
  std::string xxe_uri = std::string(kDefaultXxeUri);  ///< the external entity / DTD of xxe and doctype

  /// Whether a POST to `path` (request target, query ignored) misbehaves.
  bool applies_to_post(std::string_view path) const;
};

/// "MODE" or "MODE:SERVICE" (the service by its name or its stats key, e.g. "BRPDossierPersoonGSD");
/// nullopt when the mode or the service is unknown.
std::optional<FaultSpec> parse_fault_spec(std::string_view text);

/// The mode names, "none|hang|...", for usage and error messages.
std::string fault_mode_names();

/// For the modes that change what is said rather than how (garbage, http500, fault200 and the hostile
/// answers): the reply that replaces `reply` to a POST to `path`. Any other mode returns `reply`
/// unchanged. `xxe_uri` is the system identifier of the xxe and doctype modes.
HttpReply damaged_reply(FaultMode mode, const HttpReply& reply, std::string_view path,
                        std::string_view xxe_uri = kDefaultXxeUri);

/// `reply` as the raw bytes of an HTTP/1.1 response (status line, Content-Type, Content-Length,
/// Connection: close, body), for the modes that send it themselves. `header_size` receives the
/// length of everything before the body.
std::string raw_http_response(const HttpReply& reply, std::size_t& header_size);

}  // namespace doelpoort::sim
