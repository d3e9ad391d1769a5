// Reads a SOAP request to one simulated service and checks it the way the broker would, before any
// lookup: well-formed XML (hardened parser, 1 MiB), a SOAP 1.1 envelope, WS-Addressing wsa:Action and
// wsa:MessageID present, the action (and SOAPAction, when not empty) equal to the WSDL's input action,
// the Body element the service's operation, its children unqualified and as the schema allows, and a
// Burgerservicenr that passes the 11-proef.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "fout.h"
#include "inquiry.h"
#include "services.h"

namespace doelpoort::sim {

inline constexpr std::size_t kMaxRequestBytes = 1 << 20;

struct SoapRequest {
  std::string action;      ///< wsa:Action
  std::string message_id;  ///< wsa:MessageID
  std::string to;          ///< wsa:To
  std::string from;        ///< wsa:From/wsa:Address
  Inquiry inquiry;
};

struct Refusal {
  FoutCode code;
  std::string detail;  ///< what exactly was wrong, for fwi:Fout/Detail
};

/// Fills `out` and returns nullopt when the request is acceptable; otherwise returns why not. The
/// addressing fields of `out` are filled as far as the document could be read, so that a refusal can
/// still relate to the request's MessageID. `soap_action` is the HTTP SOAPAction (nullopt: absent).
[[nodiscard]] std::optional<Refusal> read_soap_request(std::string_view body,
                                                       std::optional<std::string_view> soap_action,
                                                       const Service& service, SoapRequest& out);

}  // namespace doelpoort::sim
