// The UWVDossierInkomstenGSD-v0200 answer (UWVPersoonsIkvInfoResponse): per income relationship
// (Inkomstenverhouding) its employer (AdministratieveEenheid with Loonheffingennr), its periods and one
// Inkomstenopgave per month with hours, SV wage, wage-tax wage and tax withheld (StandaardBedr, whole
// euros), then PeriodeGegevensleveringIko. Element order as in the published BodyReaction.xsd.
#pragma once

#include "inquiry.h"
#include "population.h"
#include "xml_writer.h"

namespace doelpoort::sim {

/// A DossierRenderer (services.h). Only months overlapping the requested period (default: the whole
/// reporting window) are listed. False, as the UWV answers NietsGevonden, for a BSN that is not in the
/// population or has no income in the period.
bool render_uwv_dossier(const Population& population, const Inquiry& inquiry, XmlWriter& out);

}  // namespace doelpoort::sim
