#include "brp_dossier.h"

#include <algorithm>

namespace doelpoort::sim {
namespace {

constexpr std::string_view kNetherlands = "6030";

/// Voornamen … Burgerservicenr: the leading elements ClientSuwi, Partner, Ouder and Kind share.
void write_identity(XmlWriter& w, const Person& p) {
  w.leaf("Voornamen", p.voornamen);
  w.optional_leaf("Voorvoegsel", p.voorvoegsel);
  w.leaf("SignificantDeelVanDeAchternaam", p.geslachtsnaam);
  w.leaf("Geboortedat", p.geboortedatum.suwi());
  w.leaf("Burgerservicenr", p.bsn);
}

void write_birthplace(XmlWriter& w, const Person& p) {
  w.optional_leaf("CdGeboortegemeente", p.geboorte_gemeente_code);
  w.leaf("Geboorteplaats", p.geboorteplaats);
  w.leaf("Geboorteland", p.geboorteland_code);
}

void write_address(XmlWriter& w, const Address& a) {
  w.open("DomicilieAdres");
  w.leaf("Postcd", a.postcode);
  w.leaf("Woonplaatsnaam", a.woonplaats);
  w.leaf("Straatnaam", a.straat.substr(0, 24));  // the short form (AN24)
  w.leaf("NaamOpenbareRuimte", a.straat);
  w.leaf("Huisnr", std::to_string(a.huisnummer));
  w.optional_leaf("Huisletter", a.huisletter);
  w.close();
}

void write_registration(XmlWriter& w, const Person& p, const Address& a) {
  const std::string since = std::max(a.ingeschreven, p.geboortedatum).suwi();
  w.open("AangifteAdreshoudingBrp");
  w.leaf("CdGemeenteVanInschrijving", a.gemeente_code);
  w.leaf("DatVanInschrijvingBijGemeente", since);
  w.leaf("DatBAdreshoudingBrp", since);
  w.close();
}

void write_death(XmlWriter& w, const Person& p, const Address& a) {
  if (!p.overlijden) return;
  w.open("Overlijden");
  w.leaf("DatOverlijden", p.overlijden->suwi());
  w.leaf("CdGemeenteOverlijden", a.gemeente_code);
  w.leaf("PlaatsOverlijden", a.woonplaats);
  w.leaf("LandOverlijden", kNetherlands);
  w.close();
}

void write_parents(XmlWriter& w, const Population& pop, const Person& child) {
  static constexpr std::string_view kTags[] = {"Ouder1", "Ouder2"};
  for (std::size_t i = 0; i < child.parents.size() && i < 2; ++i) {
    w.open(kTags[i]);
    write_identity(w, pop.at(child.parents[i]));
    w.leaf("DatBFamilierechtelijkeBetrekking", child.geboortedatum.suwi());
    w.close();
  }
}

void write_marriage(XmlWriter& w, const Population& pop, const Person& p) {
  if (!p.partner) return;
  const Person& partner = pop.at(*p.partner);
  w.open("Huwelijk");
  w.leaf("DatHuwelijkssluiting", p.huwelijksdatum.suwi());
  w.open("Partner");
  write_identity(w, partner);
  write_birthplace(w, partner);
  w.close();
  w.leaf("CdGemeenteHuwelijkssluiting", p.huwelijks_gemeente_code);
  w.leaf("PlaatsHuwelijkssluiting", p.huwelijksplaats);
  w.leaf("LandHuwelijkssluiting", kNetherlands);
  w.close();
}

void write_children(XmlWriter& w, const Population& pop, const Person& p) {
  for (PersonIndex c : p.children) {
    w.open("Kind");
    write_identity(w, pop.at(c));
    w.close();
  }
}

void write_inschrijving(XmlWriter& w, const Person& p, const Address& a) {
  w.open("InschrijvingsgegevensBrp");
  if (p.overlijden) {
    w.leaf("DatOpschortingBijhoudingPl", p.overlijden->suwi());
    w.leaf("CdRedenOpschortingBijhoudingPl", "O");  // O = overlijden
  }
  w.leaf("CdGemeenteWaarPkZichBevindt", a.gemeente_code);
  w.close();
}

}  // namespace

bool render_brp_dossier(const Population& pop, const Inquiry& inquiry, XmlWriter& w) {
  const Person* p = pop.find(inquiry.bsn);
  if (p == nullptr) return false;
  const Address& address = pop.address_of(*p);
  w.open("ClientSuwi");
  write_identity(w, *p);
  w.leaf("CdBrpGegevensGeheim", "0");
  w.leaf("Geslacht", std::string(1, p->geslacht));
  write_birthplace(w, *p);
  for (const std::string& code : p->nationaliteiten) w.open("Nationaliteit").leaf("CdNationaliteit", code).close();
  write_address(w, address);
  write_registration(w, *p, address);
  write_death(w, *p, address);
  write_parents(w, pop, *p);
  write_marriage(w, pop, *p);
  write_children(w, pop, *p);
  write_inschrijving(w, *p, address);
  w.close();
  return true;
}

}  // namespace doelpoort::sim
