// SOAP 1.1 envelopes for the simulator's answers, with the WS-Addressing headers Digikoppeling WUS and
// the SuwiML Transactiestandaard ask of a synchronous response: wsa:Action (the WSDL's output or fault
// action), a new wsa:MessageID, wsa:RelatesTo (the request's MessageID), wsa:From (the request's
// wsa:To) and wsa:To (the request's wsa:From address). Empty values are left out.
#pragma once

#include <string>
#include <string_view>

#include "fout.h"

namespace doelpoort::sim {

inline constexpr std::string_view kSoap11Namespace = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kWsaNamespace = "http://www.w3.org/2005/08/addressing";
inline constexpr std::string_view kFwiNamespace = "http://bkwi.nl/SuwiML/FWI/v0205";

struct ReplyAddressing {
  std::string action;
  std::string relates_to;
  std::string from;
  std::string to;
};

/// The whole response document: XML declaration, envelope, header, and `body_content` (already XML,
/// indented two levels) inside soap:Body.
std::string soap_envelope(const ReplyAddressing& addressing, std::string_view body_content);

/// A soap:Fault element (indented for soap_envelope) whose detail is the FWI fwi:Fout for `info`.
/// `detail` (may be empty) says what exactly was wrong; `bron_dn` names the answering source.
std::string fout_fault(const FoutInfo& info, std::string_view detail, std::string_view bron_dn);

/// A fresh "urn:uuid:…" (random, version 4).
std::string new_message_id();

}  // namespace doelpoort::sim
