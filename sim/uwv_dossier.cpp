#include "uwv_dossier.h"

#include <algorithm>
#include <vector>

namespace doelpoort::sim {
namespace {

struct Window {
  Date begin;
  Date end;
  bool overlaps(const IncomePeriod& p) const { return p.begin <= end && p.end >= begin; }
};

void write_amount(XmlWriter& w, std::string_view tag, long euros) {
  w.open(tag);
  w.leaf("CdMunteenheid", "EUR");
  w.leaf("CdPositiefNegatief", euros < 0 ? "-" : "+");
  w.leaf("WaardeBedr", std::to_string(euros < 0 ? -euros : euros));
  w.close();
}

void write_employer(XmlWriter& w, const Employer& employer, const Employment& e) {
  w.open("AdministratieveEenheid");
  w.leaf("NaamAdministratieveEenheid", employer.naam);
  w.leaf("Loonheffingennr", employer.loonheffingennummer);
  w.open("RechtspersoonAdministratieveEenh");
  w.leaf("FiNr", employer.rsin);
  w.leaf("NaamRechtspersoon", employer.naam);
  w.close();
  w.close();
  w.open("Inkomstenperiode");
  w.leaf("DatBIkp", e.start.suwi());
  if (e.end) w.leaf("DatEIkp", e.end->suwi());
  w.leaf("CdSrtIkv", "11");  // loon of salaris
  w.leaf("IndLoonheffingskortingToegepast", e.volgnummer == 1 ? "1" : "2");  // 1 = ja, 2 = nee
  w.close();
}

void write_opgave(XmlWriter& w, const IncomePeriod& p) {
  w.open("Inkomstenopgave");
  w.leaf("DatBIko", p.begin.suwi());
  w.leaf("DatEIko", p.end.suwi());
  w.leaf("AantVerloondeUrenIko", std::to_string(p.hours));
  write_amount(w, "BedrBrutoloonSv", p.loon_sv);
  write_amount(w, "BedrLoonLbPremieVolksverz", p.loon_lb);
  write_amount(w, "BedrIngehoudenLbPremieVolksverz", p.ingehouden);
  w.close();
}

bool has_months_in(const Employment& e, const Window& window) {
  return std::any_of(e.periods.begin(), e.periods.end(), [&](const IncomePeriod& p) { return window.overlaps(p); });
}

}  // namespace

bool render_uwv_dossier(const Population& pop, const Inquiry& inquiry, XmlWriter& w) {
  const Person* person = pop.find(inquiry.bsn);
  if (person == nullptr) return false;
  const Window window{inquiry.period_begin.value_or(kIncomeWindowStart), inquiry.period_end.value_or(kIncomeWindowEnd)};
  std::vector<const Employment*> listed;
  for (const Employment& e : person->employments)
    if (has_months_in(e, window)) listed.push_back(&e);
  if (listed.empty()) return false;

  w.open("ClientSuwi");
  w.leaf("Burgerservicenr", person->bsn);
  for (const Employment* e : listed) {
    w.open("Inkomstenverhouding");
    w.leaf("VolgnrIkv", std::to_string(e->volgnummer));
    w.leaf("AanduidingIkvWerkgever", e->personeelsnummer);
    w.leaf("DatBIkv", e->start.suwi());
    if (e->end) w.leaf("DatEIkv", e->end->suwi());
    write_employer(w, pop.employer_of(*e), *e);
    for (const IncomePeriod& p : e->periods)
      if (window.overlaps(p)) write_opgave(w, p);
    w.close();
  }
  w.close();
  w.open("PeriodeGegevensleveringIko");
  w.leaf("DatBPeriode", window.begin.suwi());
  w.leaf("DatEPeriode", window.end.suwi());
  w.close();
  return true;
}

}  // namespace doelpoort::sim
