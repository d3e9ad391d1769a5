#include "fout.h"

#include <array>

namespace doelpoort::sim {
namespace {

struct Row {
  FoutCode key;
  FoutInfo info;
};

constexpr std::array<Row, 11> kFouten{{
    {FoutCode::kMalformedMessage, {"SIM-001", "Het bericht is geen geldig SOAP 1.1-bericht", 500}},
    {FoutCode::kMissingAddressing, {"SIM-002", "WS-Addressing ontbreekt: wsa:Action en wsa:MessageID zijn verplicht", 500}},
    {FoutCode::kWrongAction, {"SIM-003", "wsa:Action of SOAPAction hoort niet bij deze dienst", 500}},
    {FoutCode::kUnknownOperation, {"SIM-004", "De operatie in de SOAP Body is onbekend bij deze dienst", 500}},
    {FoutCode::kInvalidRequest, {"SIM-005", "Het verzoek voldoet niet aan het berichtschema", 500}},
    {FoutCode::kInvalidBsn, {"SIM-006", "Burgerservicenr is ongeldig", 500}},
    {FoutCode::kUnknownService, {"SIM-404", "Onbekende dienst", 404}},
    {FoutCode::kMethodNotAllowed, {"SIM-405", "Alleen POST (SOAP) en GET (WSDL) zijn toegestaan", 405}},
    {FoutCode::kRequestTooLarge, {"SIM-413", "Het bericht is te groot", 413}},
    {FoutCode::kUnsupportedMedia, {"SIM-415", "Bijlagen (MIME/DIME) worden niet ondersteund", 415}},
    {FoutCode::kBadHttpRequest, {"SIM-400", "Ongeldig HTTP-verzoek", 400}},
}};

}  // namespace

const FoutInfo& fout_info(FoutCode code) {
  for (const Row& row : kFouten)
    if (row.key == code) return row.info;
  return kFouten[0].info;  // unreachable: every enumerator has a row
}

}  // namespace doelpoort::sim
