#include "services.h"

#include "brp_dossier.h"
#include "uwv_dossier.h"

namespace doelpoort {
// Generated from wsdl/sim/*.wsdl by wsdl/embed.cmake (see sim/CMakeLists.txt).
extern const std::string_view kSimBrpDossierPersoonWsdl;
extern const std::string_view kSimUwvDossierInkomstenWsdl;
}  // namespace doelpoort

namespace doelpoort::sim {

const std::array<Service, kServiceCount>& services() {
  static const std::array<Service, kServiceCount> kServices{{
      {"BRPDossierPersoonGSD-v0200", "BRPDossierPersoonGSD",
       "http://bkwi.nl/SuwiML/Diensten/BRPDossierPersoonGSD/v0200", "AanvraagPersoon", "AanvraagPersoonResponse",
       "http://bkwi.nl/SuwiML/Diensten/BRPDossierPersoonGSD-v0200/AanvraagPersoon",
       "http://bkwi.nl/SuwiML/Diensten/BRPDossierPersoonGSD-v0200/AanvraagPersoonResponse",
       "http://bkwi.nl/SuwiML/Diensten/BRPDossierPersoonGSD-v0200/Fout", false,
       "CN=BRPDossierPersoonGSD-v0200,OU=doelpoort-sim", kSimBrpDossierPersoonWsdl, render_brp_dossier},
      {"UWVDossierInkomstenGSD-v0200", "UWVDossierInkomstenGSD",
       "http://bkwi.nl/SuwiML/Diensten/UWVDossierInkomstenGSD/v0200", "UWVPersoonsIkvInfo",
       "UWVPersoonsIkvInfoResponse",
       "http://bkwi.nl/SuwiML/Diensten/UWVDossierInkomstenGSD-v0200/UWVPersoonsIkvInfo",
       "http://bkwi.nl/SuwiML/Diensten/UWVDossierInkomstenGSD-v0200/UWVPersoonsIkvInfoResponse",
       "http://bkwi.nl/SuwiML/Diensten/UWVDossierInkomstenGSD-v0200/Fout", true,
       "CN=UWVDossierInkomstenGSD-v0200,OU=doelpoort-sim", kSimUwvDossierInkomstenWsdl, render_uwv_dossier},
  }};
  return kServices;
}

const Service* find_service(std::string_view name) {
  for (const Service& s : services())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace doelpoort::sim
