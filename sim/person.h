// The synthetic persons the simulated registries answer about. Plain data; Population builds it.
//
// Code values follow the SuwiML basisschema's shapes (Geslacht "1" man / "2" vrouw, four-digit
// municipality, country and nationality codes). They are plausible, not an authoritative code list.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "date.h"

namespace doelpoort::sim {

using PersonIndex = std::size_t;  ///< position in Population::persons()

struct Address {
  std::string straat;  ///< full street name (NaamOpenbareRuimte; short enough for Straatnaam too)
  int huisnummer = 0;
  std::string huisletter;  ///< "" or one letter
  std::string postcode;    ///< "1234AB"
  std::string woonplaats;
  std::string gemeente_code;  ///< CdGemeenteGba, four digits
  Date ingeschreven;          ///< registered at this address since
};

/// One month (or part of it) of wages reported to the UWV polisadministratie. Amounts in whole euros,
/// as the loonaangifte reports them.
struct IncomePeriod {
  Date begin;
  Date end;
  int hours = 0;        ///< AantVerloondeUrenIko
  long loon_sv = 0;     ///< BedrBrutoloonSv: wage for employee insurances
  long loon_lb = 0;     ///< BedrLoonLbPremieVolksverz: wage for wage tax
  long ingehouden = 0;  ///< BedrIngehoudenLbPremieVolksverz: wage tax withheld
};

struct Employer {
  std::string naam;
  std::string loonheffingennummer;  ///< RSIN + "L01": twelve characters
  std::string rsin;                 ///< nine digits (FiNr)
};

/// An income relationship (inkomstenverhouding) with one employer.
struct Employment {
  int volgnummer = 1;              ///< VolgnrIkv
  std::string personeelsnummer;    ///< AanduidingIkvWerkgever
  std::size_t employer = 0;  ///< index into Population::employers()
  Date start;
  std::optional<Date> end;
  std::vector<IncomePeriod> periods;  ///< in date order, only within the reporting window
};

struct Vehicle {
  std::string kenteken;  ///< e.g. "12-ABC-3"
  std::string merk;
  std::string type;
  std::string kleur;
  Date eerste_toelating;
};

struct Person {
  std::string bsn;
  std::string voornamen;
  std::string voorvoegsel;  ///< "" when none, e.g. "van der"
  std::string geslachtsnaam;
  Date geboortedatum;
  char geslacht = '1';  ///< '1' man, '2' vrouw
  std::string geboorteplaats;
  std::string geboorte_gemeente_code;  ///< "" when born abroad
  std::string geboorteland_code;       ///< "6030" = Nederland
  std::vector<std::string> nationaliteiten;  ///< CdNationaliteit codes, first = main
  std::size_t household = 0;                 ///< index into Population::addresses(); shared address
  std::optional<Date> overlijden;
  std::optional<PersonIndex> partner;
  Date huwelijksdatum;  ///< meaningful when partner is set
  std::string huwelijksplaats;
  std::string huwelijks_gemeente_code;
  std::vector<PersonIndex> children;
  std::vector<PersonIndex> parents;  ///< 0, 1 or 2
  std::vector<Employment> employments;
  std::vector<Vehicle> vehicles;

  bool has_income() const { return !employments.empty(); }
};

}  // namespace doelpoort::sim
