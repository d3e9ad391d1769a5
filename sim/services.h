// The simulated registry services: one row each, in one table. A row holds everything the request
// handler needs: where the service lives, its SuwiML namespace and operation, the WS-Addressing
// actions from the published WSDL, its own WSDL text, and how to render its dossier.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "inquiry.h"
#include "population.h"
#include "xml_writer.h"

namespace doelpoort::sim {

/// Writes the children of the response element for `inquiry` and returns true, or writes nothing and
/// returns false when the registry knows no one to answer about (the caller answers fwi:NietsGevonden).
using DossierRenderer = bool (*)(const Population& population, const Inquiry& inquiry, XmlWriter& out);

struct Service {
  std::string_view name;       ///< "BRPDossierPersoonGSD-v0200": URL path segment and wsdl:service name
  std::string_view stats_key;  ///< key in GET /_sim/stats
  std::string_view ns;         ///< SuwiML Diensten namespace (prefix smls)
  std::string_view operation;  ///< request element, e.g. "AanvraagPersoon"
  std::string_view response;   ///< response element, e.g. "AanvraagPersoonResponse"
  std::string_view request_action;
  std::string_view response_action;
  std::string_view fault_action;
  bool accepts_period;         ///< request may carry PeriodeGegevensvraagIko
  std::string_view bron_dn;    ///< fwi:Fout/Bron/DN of this source
  std::string_view wsdl;       ///< wsdl/sim/<name>.wsdl, compiled in
  DossierRenderer render;
};

inline constexpr std::size_t kServiceCount = 2;
/// Services are reached at kServicePathPrefix + name (as on the Suwinet broker).
inline constexpr std::string_view kServicePathPrefix = "/suwibroker/soap/";

const std::array<Service, kServiceCount>& services();
/// The service whose name is `name`, or null.
const Service* find_service(std::string_view name);

}  // namespace doelpoort::sim
