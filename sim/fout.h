// The simulator's error answers: one table row per reason a request is refused. Each becomes the
// SuwiML FWI `fwi:Fout` (Code, Tekst, Detail, Bron/DN) inside a SOAP 1.1 Fault, as the published
// WSDLs define the AanvraagNietOk fault. The codes are the simulator's own (stable; tests match them).
#pragma once

#include <string_view>

namespace doelpoort::sim {

enum class FoutCode {
  kMalformedMessage,   ///< not well-formed XML, not a SOAP 1.1 envelope, DOCTYPE, empty body
  kMissingAddressing,  ///< no wsa:Action or wsa:MessageID header
  kWrongAction,        ///< wsa:Action or SOAPAction is not this service's request action
  kUnknownOperation,   ///< the Body element is not this service's operation
  kInvalidRequest,     ///< the operation element's content does not fit the schema
  kInvalidBsn,         ///< Burgerservicenr not nine digits or fails the 11-proef
  kUnknownService,     ///< no service at this path
  kMethodNotAllowed,   ///< neither POST (SOAP) nor GET (WSDL, stats)
  kRequestTooLarge,    ///< body over the limit
  kUnsupportedMedia,   ///< MIME/DIME attachments
  kBadHttpRequest,     ///< the HTTP request itself could not be read
};

struct FoutInfo {
  std::string_view code;   ///< fwi:Fout/Code
  std::string_view tekst;  ///< fwi:Fout/Tekst, also the faultstring
  int http_status;         ///< 500 for SOAP faults (SOAP 1.1 §6.2), the HTTP error otherwise
};

const FoutInfo& fout_info(FoutCode code);

}  // namespace doelpoort::sim
