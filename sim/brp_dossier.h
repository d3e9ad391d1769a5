// The BRPDossierPersoonGSD-v0200 answer: the whole BRP dossier of one person (ClientSuwi), in the
// element order of the published BodyReaction.xsd, children unqualified. Written: names, birth,
// Geslacht, nationalities, DomicilieAdres, AangifteAdreshoudingBrp (municipality of registration),
// Overlijden, Ouder1/Ouder2, Huwelijk with Partner, Kind (one per child), InschrijvingsgegevensBrp.
#pragma once

#include "inquiry.h"
#include "population.h"
#include "xml_writer.h"

namespace doelpoort::sim {

/// A DossierRenderer (services.h): false for a BSN that is not in the population.
bool render_brp_dossier(const Population& population, const Inquiry& inquiry, XmlWriter& out);

}  // namespace doelpoort::sim
