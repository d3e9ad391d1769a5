#include "population.h"

#include <algorithm>
#include <unordered_set>

#include "bsn.h"
#include "name_tables.h"
#include "rng.h"

namespace doelpoort::sim {
namespace {

constexpr std::string_view kDutch = "0001";       // CdNationaliteit: Nederlandse
constexpr std::string_view kNetherlands = "6030";  // CdLandGba: Nederland

int age_at(const Date& birth, const Date& at) {
  const bool before_birthday = std::pair(at.month, at.day) < std::pair(birth.month, birth.day);
  return at.year - birth.year - (before_birthday ? 1 : 0);
}

Date birthday(const Date& birth, int years) { return birth.plus_months(12 * years); }

/// Where and as what a person was born.
struct Origin {
  std::string plaats;
  std::string gemeente_code;  // "" abroad
  std::string land;
  std::vector<std::string> nationaliteiten;
};

/// Monthly wage tax withheld, a rough progressive rate in percent of the wage-tax wage.
long withheld(long loon_lb) {
  const int rate = loon_lb < 1500 ? 5 : loon_lb < 2500 ? 12 : loon_lb < 3500 ? 20 : loon_lb < 5000 ? 28 : 36;
  return loon_lb * rate / 100;
}

}  // namespace

/// Draws households one at a time until the population has `count` persons. Every random choice goes
/// through one Rng in a fixed order, which is what makes a seed reproducible: change the order of the
/// calls and every seed names a different population.
class PopulationBuilder {
 public:
  PopulationBuilder(std::uint64_t seed, std::size_t count) : rng_(seed), count_(count) { pop_.seed_ = seed; }

  Population build() {
    add_employers();
    while (pop_.persons_.size() < count_) add_household();
    return std::move(pop_);
  }

 private:
  enum class Kind { kSingle, kCouple, kFamily, kSingleParent };

  void add_employers() {
    for (std::string_view name : employer_names()) {
      std::optional<std::string> rsin;
      while (!rsin) rsin = complete_bsn(static_cast<std::uint32_t>(rng_.between(80000000, 89999999)));
      pop_.employers_.push_back({std::string(name), *rsin + "L01", *rsin});
    }
  }

  void add_household() {
    const std::size_t remaining = count_ - pop_.persons_.size();
    const int roll = rng_.between(0, 99);
    Kind kind = roll < 40 ? Kind::kSingle : roll < 62 ? Kind::kCouple : roll < 90 ? Kind::kFamily : Kind::kSingleParent;
    int kids = rng_.between(1, 3);
    const auto size = [&] {
      switch (kind) {
        case Kind::kSingle: return 1;
        case Kind::kCouple: return 2;
        case Kind::kFamily: return 2 + kids;
        case Kind::kSingleParent: return 1 + kids;
      }
      return 1;
    };
    while (static_cast<std::size_t>(size()) > remaining && kids > 1) --kids;
    if (static_cast<std::size_t>(size()) > remaining) kind = Kind::kSingle;

    const Town& town = rng_.pick(towns());
    const std::size_t household = pop_.addresses_.size();
    std::vector<PersonIndex> adults;
    switch (kind) {
      case Kind::kSingle:
        adults.push_back(add_adult(rng_.chance(50) ? '1' : '2', random_birth(18, 95), household));
        maybe_decease(adults[0]);
        break;
      case Kind::kCouple:
      case Kind::kFamily: {
        const int age = kind == Kind::kFamily ? rng_.between(25, 55) : rng_.between(20, 85);
        const int partner_age = std::max(18, age - rng_.between(-3, 6));
        adults.push_back(add_adult('1', random_birth(age, age), household));
        adults.push_back(add_adult('2', random_birth(partner_age, partner_age), household));
        marry(adults[0], adults[1], town);
        break;
      }
      case Kind::kSingleParent:
        adults.push_back(add_adult(rng_.chance(80) ? '2' : '1', random_birth(22, 55), household));
        break;
    }
    if (kind == Kind::kFamily || kind == Kind::kSingleParent) {
      for (int i = 0; i < kids; ++i) add_child(adults, town, household);
    }
    Date moved_in{1995, 1, 1};
    for (PersonIndex a : adults) moved_in = std::max(moved_in, birthday(pop_.persons_[a].geboortedatum, 18));
    pop_.addresses_.push_back(make_address(town, moved_in));
    for (PersonIndex a : adults) add_activities(a);
  }

  PersonIndex add_adult(char sex, Date birth, std::size_t household) {
    const Surname& surname = rng_.pick(surnames());
    return add_person(sex, birth, surname.voorvoegsel, surname.naam, household, random_origin());
  }

  void add_child(const std::vector<PersonIndex>& parents, const Town& town, std::size_t household) {
    Date youngest = pop_.persons_[parents[0]].geboortedatum;
    for (PersonIndex p : parents) youngest = std::max(youngest, pop_.persons_[p].geboortedatum);
    const int max_age = std::min(25, age_at(youngest, kPeildatum) - 20);
    const Person& first = pop_.persons_[parents[0]];
    Origin origin{std::string(town.naam), std::string(town.gemeente_code), std::string(kNetherlands), {}};
    const bool dutch = std::any_of(parents.begin(), parents.end(), [&](PersonIndex p) {
      return pop_.persons_[p].nationaliteiten.front() == kDutch;
    });
    origin.nationaliteiten.push_back(dutch ? std::string(kDutch) : first.nationaliteiten.front());
    const std::string voorvoegsel = first.voorvoegsel;
    const std::string naam = first.geslachtsnaam;
    const PersonIndex child = add_person(rng_.chance(50) ? '1' : '2', random_birth(0, std::max(0, max_age)),
                                         voorvoegsel, naam, household, origin);
    for (PersonIndex p : parents) {
      pop_.persons_[p].children.push_back(child);
      pop_.persons_[child].parents.push_back(p);
    }
    add_activities(child);
  }

  PersonIndex add_person(char sex, Date birth, std::string_view voorvoegsel, std::string_view naam,
                         std::size_t household, Origin origin) {
    Person p;
    p.bsn = new_bsn();
    p.geslacht = sex;
    p.voornamen = random_first_names(sex);
    p.voorvoegsel = voorvoegsel;
    p.geslachtsnaam = naam;
    p.geboortedatum = birth;
    p.geboorteplaats = std::move(origin.plaats);
    p.geboorte_gemeente_code = std::move(origin.gemeente_code);
    p.geboorteland_code = std::move(origin.land);
    p.nationaliteiten = std::move(origin.nationaliteiten);
    p.household = household;
    const PersonIndex index = pop_.persons_.size();
    pop_.by_bsn_.emplace(p.bsn, index);
    pop_.persons_.push_back(std::move(p));
    return index;
  }

  std::string new_bsn() {
    for (;;) {
      auto bsn = complete_bsn(static_cast<std::uint32_t>(rng_.between(10000000, 79999999)));
      if (bsn && !pop_.by_bsn_.count(*bsn)) return *bsn;
    }
  }

  std::string random_first_names(char sex) {
    const auto table = sex == '1' ? male_first_names() : female_first_names();
    std::string names(rng_.pick(table));
    const int extra = rng_.between(0, 99) < 55 ? 0 : rng_.chance(70) ? 1 : 2;
    for (int i = 0; i < extra; ++i) {
      std::string_view next = rng_.pick(table);
      if (names.find(next) == std::string::npos) names.append(" ").append(next);
    }
    return names;
  }

  Origin random_origin() {
    if (rng_.chance(85)) {
      const Town& town = rng_.pick(towns());
      return {std::string(town.naam), std::string(town.gemeente_code), std::string(kNetherlands),
              {std::string(kDutch)}};
    }
    const Nationality& n = rng_.pick(foreign_nationalities());
    Origin o{std::string(n.birthplace), "", std::string(n.country), {std::string(n.code)}};
    if (rng_.chance(40)) o.nationaliteiten.insert(o.nationaliteiten.begin(), std::string(kDutch));
    return o;
  }

  /// Someone who is `min_age`..`max_age` years old on kPeildatum.
  Date random_birth(int min_age, int max_age) {
    const int age = rng_.between(min_age, max_age);
    const int month = rng_.between(1, 12);
    return {kPeildatum.year - age - 1, month, rng_.between(1, days_in_month(kPeildatum.year - age - 1, month))};
  }

  /// A day in [lo, hi], drawn month first; lo when the range is empty.
  Date random_date(Date lo, Date hi) {
    if (hi < lo) return lo;
    const int months = (hi.year - lo.year) * 12 + (hi.month - lo.month);
    Date d = lo.month_start().plus_months(rng_.between(0, std::max(0, months)));
    d.day = rng_.between(1, days_in_month(d.year, d.month));
    return std::clamp(d, lo, hi);
  }

  void marry(PersonIndex a, PersonIndex b, const Town& town) {
    Person& pa = pop_.persons_[a];
    Person& pb = pop_.persons_[b];
    const Date adult = std::max(birthday(pa.geboortedatum, 20), birthday(pb.geboortedatum, 20));
    const Date when = random_date(adult, kPeildatum.plus_months(-1));
    for (Person* p : {&pa, &pb}) {
      p->huwelijksdatum = when;
      p->huwelijksplaats = town.naam;
      p->huwelijks_gemeente_code = town.gemeente_code;
    }
    pa.partner = b;
    pb.partner = a;
  }

  void maybe_decease(PersonIndex index) {
    Person& p = pop_.persons_[index];
    if (age_at(p.geboortedatum, kPeildatum) >= 65 && rng_.chance(25))
      p.overlijden = random_date({2019, 1, 1}, {2024, 12, 31});
  }

  Address make_address(const Town& town, Date moved_in_after) {
    static constexpr std::string_view kLetters = "ABCDEGHJKLMNPRSTVWXZ";
    Address a;
    a.straat = rng_.pick(street_names());
    a.huisnummer = rng_.between(1, 250);
    if (rng_.chance(10)) a.huisletter = std::string(1, static_cast<char>('A' + rng_.between(0, 3)));
    std::string letters;
    do {
      letters = {kLetters[static_cast<std::size_t>(rng_.between(0, 19))],
                 kLetters[static_cast<std::size_t>(rng_.between(0, 19))]};
    } while (letters == "SA" || letters == "SD" || letters == "SS");
    a.postcode = std::to_string(rng_.between(town.postcode_lo, town.postcode_hi)) + letters;
    a.woonplaats = town.naam;
    a.gemeente_code = town.gemeente_code;
    a.ingeschreven = random_date(std::min(moved_in_after, kIncomeWindowEnd), kIncomeWindowEnd);
    return a;
  }

  /// Jobs and vehicles of a person who is alive on kPeildatum.
  void add_activities(PersonIndex index) {
    Person& p = pop_.persons_[index];
    if (p.overlijden) return;
    add_employments(p);
    if (age_at(p.geboortedatum, kPeildatum) >= 18) {
      const int roll = rng_.between(0, 99);
      const int vehicles = roll < 40 ? 1 : roll < 48 ? 2 : 0;
      for (int i = 0; i < vehicles; ++i) p.vehicles.push_back(random_vehicle());
    }
  }

  void add_employments(Person& p) {
    const int age = age_at(p.geboortedatum, kPeildatum);
    const int roll = rng_.between(0, 99);
    bool current = false;
    bool ended = false;
    if (age >= 16 && age < 18) {
      current = roll < 30;
    } else if (age >= 18 && age < 67) {
      current = roll < 70;
      ended = roll >= 56 && roll < 80;
    } else if (age >= 67) {
      current = roll < 5;
    }
    const Date earliest = std::max(birthday(p.geboortedatum, 16), Date{2005, 1, 1});
    if (earliest > kIncomeWindowEnd.plus_months(-1)) return;
    std::optional<Date> next_start;
    if (ended) {
      const Date end = random_date(std::max(earliest, kIncomeWindowStart.plus_months(1)), {2024, 6, 30});
      const Date start = random_date(earliest, end.plus_months(-1) < earliest ? earliest : end.plus_months(-1));
      p.employments.push_back(make_employment(p, start, end, age));
      next_start = end.next_day().plus_months(rng_.between(0, 2));
    }
    if (current) {
      const Date start = next_start ? *next_start : random_date(earliest, kIncomeWindowEnd.plus_months(-1));
      p.employments.push_back(make_employment(p, start, std::nullopt, age));
    }
  }

  Employment make_employment(const Person& p, Date start, std::optional<Date> end, int age) {
    Employment e;
    e.volgnummer = static_cast<int>(p.employments.size()) + 1;
    e.personeelsnummer = "P" + std::to_string(rng_.between(10000, 99999));
    e.employer = static_cast<std::size_t>(rng_.between(0, static_cast<int>(pop_.employers_.size()) - 1));
    e.start = start;
    e.end = end;
    const int hours_per_month = age < 18 ? rng_.between(20, 60) : rng_.between(40, 173);
    const int hourly_wage = age < 18 ? rng_.between(6, 10) : rng_.between(13, 40);
    const int lb_surcharge = rng_.between(0, 3);  // percent of SV wage also taxed (e.g. benefits in kind)
    const Date last = end ? std::min(*end, kIncomeWindowEnd) : kIncomeWindowEnd;
    for (Date month = std::max(start, kIncomeWindowStart).month_start(); month <= last; month = month.plus_months(1)) {
      IncomePeriod period;
      period.begin = std::max(month, start);
      period.end = std::min(month.month_end(), last);
      const int days = period.end.day - period.begin.day + 1;
      period.hours = std::max(1, hours_per_month * days / days_in_month(month.year, month.month));
      const long raise_percent = month.year >= 2024 ? 103 : 100;  // the 2024 collective raise
      period.loon_sv = period.hours * hourly_wage * raise_percent / 100;
      period.loon_lb = period.loon_sv + period.loon_sv * lb_surcharge / 100;
      period.ingehouden = withheld(period.loon_lb);
      e.periods.push_back(period);
    }
    return e;
  }

  Vehicle random_vehicle() {
    static constexpr std::string_view kLetters = "BDFGHJKLNPRSTVXZ";
    const auto letter = [&] { return kLetters[static_cast<std::size_t>(rng_.between(0, 15))]; };
    const auto digit = [&] { return static_cast<char>('0' + rng_.between(0, 9)); };
    std::string plate;
    do {
      switch (rng_.between(0, 3)) {
        case 0: plate = {digit(), digit(), '-', letter(), letter(), letter(), '-', digit()}; break;
        case 1: plate = {digit(), '-', letter(), letter(), letter(), '-', digit(), digit()}; break;
        case 2: plate = {letter(), letter(), '-', digit(), digit(), digit(), '-', letter()}; break;
        default: plate = {letter(), '-', digit(), digit(), digit(), '-', letter(), letter()}; break;
      }
    } while (!plates_.insert(plate).second);
    const CarModel& model = rng_.pick(car_models());
    return {plate, std::string(model.merk), std::string(model.type), std::string(rng_.pick(car_colours())),
            random_date({2010, 1, 1}, {2024, 12, 31})};
  }

  Rng rng_;
  std::size_t count_;
  Population pop_;
  std::unordered_set<std::string> plates_;
};

Population Population::generate(std::uint64_t seed, std::size_t count) {
  return PopulationBuilder(seed, count).build();
}

const Person* Population::find(std::string_view bsn) const {
  auto it = by_bsn_.find(std::string(bsn));
  return it == by_bsn_.end() ? nullptr : &persons_[it->second];
}

std::vector<std::string> Population::absent_bsns(std::size_t n) const {
  Rng rng(seed_ ^ 0xab5e17ab5e17ULL);  // its own stream: independent of the population's size
  std::vector<std::string> out;
  while (out.size() < n) {
    auto bsn = complete_bsn(static_cast<std::uint32_t>(rng.between(10000000, 99999999)));
    if (bsn && !by_bsn_.count(*bsn) && std::find(out.begin(), out.end(), *bsn) == out.end()) out.push_back(*bsn);
  }
  return out;
}

}  // namespace doelpoort::sim
