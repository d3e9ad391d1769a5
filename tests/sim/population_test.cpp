#include "population.h"

#include <gtest/gtest.h>

#include <set>

#include "bsn.h"
#include "sim_test_util.h"

namespace doelpoort::sim {
namespace {

using testing::population;

TEST(Population, EveryBsnPassesElevenProef) {
  for (const Person& p : population().persons()) EXPECT_TRUE(is_valid_bsn(p.bsn)) << p.bsn;
}

TEST(Population, BsnsAreUnique) {
  std::set<std::string> seen;
  for (const Person& p : population().persons()) EXPECT_TRUE(seen.insert(p.bsn).second) << p.bsn;
}

TEST(Population, HasExactlyTheRequestedCount) {
  for (std::size_t count : {1u, 2u, 7u, 1000u}) EXPECT_EQ(Population::generate(5, count).persons().size(), count);
}

TEST(Population, SameSeedGivesSamePopulation) {
  const Population a = Population::generate(42, 300);
  const Population b = Population::generate(42, 300);
  ASSERT_EQ(a.persons().size(), b.persons().size());
  for (std::size_t i = 0; i < a.persons().size(); ++i) {
    const Person& x = a.persons()[i];
    const Person& y = b.persons()[i];
    EXPECT_EQ(x.bsn, y.bsn);
    EXPECT_EQ(x.voornamen, y.voornamen);
    EXPECT_EQ(x.geboortedatum, y.geboortedatum);
    EXPECT_EQ(a.address_of(x).postcode, b.address_of(y).postcode);
    EXPECT_EQ(x.partner, y.partner);
    EXPECT_EQ(x.children, y.children);
    ASSERT_EQ(x.employments.size(), y.employments.size());
    for (std::size_t e = 0; e < x.employments.size(); ++e)
      EXPECT_EQ(x.employments[e].periods.size(), y.employments[e].periods.size());
  }
  EXPECT_EQ(a.absent_bsns(3), b.absent_bsns(3));
}

TEST(Population, OtherSeedGivesOtherPopulation) {
  EXPECT_NE(Population::generate(1, 50).persons()[0].bsn, Population::generate(2, 50).persons()[0].bsn);
}

// The same seed must name the same persons on every build: demos and tests pick subjects from it.
// If the generator changes on purpose, update these (doelpoort-sim population --limit 3).
TEST(Population, DefaultSeedIsStableAcrossBuilds) {
  const auto persons = population().persons();
  EXPECT_EQ(persons[0].bsn, "209992487");
  EXPECT_EQ(persons[1].bsn, "536323318");
  EXPECT_EQ(persons[2].bsn, "553408987");
}

TEST(Population, PartnersPartnerIsThePerson) {
  int couples = 0;
  const auto persons = population().persons();
  for (std::size_t i = 0; i < persons.size(); ++i) {
    if (!persons[i].partner) continue;
    ++couples;
    const Person& partner = population().at(*persons[i].partner);
    ASSERT_TRUE(partner.partner.has_value()) << persons[i].bsn;
    EXPECT_EQ(*partner.partner, i);
    EXPECT_EQ(partner.household, persons[i].household);
    EXPECT_EQ(partner.huwelijksdatum, persons[i].huwelijksdatum);
  }
  EXPECT_GT(couples, 100);
}

TEST(Population, ChildrenShareTheirParentsAddressAndAreListedByEachParent) {
  int children = 0;
  const auto persons = population().persons();
  for (std::size_t i = 0; i < persons.size(); ++i) {
    const Person& child = persons[i];
    for (PersonIndex parent_index : child.parents) {
      ++children;
      const Person& parent = population().at(parent_index);
      EXPECT_EQ(&population().address_of(parent), &population().address_of(child)) << child.bsn;
      EXPECT_NE(std::find(parent.children.begin(), parent.children.end(), i), parent.children.end());
      EXPECT_LT(parent.geboortedatum, child.geboortedatum);
    }
  }
  EXPECT_GT(children, 100);
}

TEST(Population, AbsentBsnsPassElevenProefButAreNotInThePopulation) {
  const auto absent = population().absent_bsns(20);
  EXPECT_EQ(absent.size(), 20u);
  for (const std::string& bsn : absent) {
    EXPECT_TRUE(is_valid_bsn(bsn)) << bsn;
    EXPECT_EQ(population().find(bsn), nullptr) << bsn;
  }
}

TEST(Population, SomePersonsAreDeceasedAndHaveNoIncome) {
  int deceased = 0;
  for (const Person& p : population().persons()) {
    if (!p.overlijden) continue;
    ++deceased;
    EXPECT_FALSE(p.has_income()) << p.bsn;
    EXPECT_LT(p.geboortedatum, *p.overlijden);
  }
  EXPECT_GT(deceased, 0);
}

TEST(Population, IncomePeriodsLieWithinTheirEmploymentAndTheReportingWindow) {
  int with_income = 0;
  for (const Person& p : population().persons()) {
    with_income += p.has_income() ? 1 : 0;
    for (const Employment& e : p.employments) {
      ASSERT_FALSE(e.periods.empty()) << p.bsn;
      EXPECT_EQ(population().employer_of(e).loonheffingennummer.size(), 12u);
      for (const IncomePeriod& period : e.periods) {
        EXPECT_LE(e.start, period.begin);
        if (e.end) {
          EXPECT_LE(period.end, *e.end);
        }
        EXPECT_LE(kIncomeWindowStart, period.begin);
        EXPECT_LE(period.end, kIncomeWindowEnd);
        EXPECT_EQ(period.begin.month, period.end.month);
        EXPECT_GT(period.loon_sv, 0) << p.bsn;
        EXPECT_GE(period.loon_lb, period.loon_sv);
      }
    }
  }
  EXPECT_GT(with_income, 200);
  EXPECT_LT(with_income, 1000);  // some valid persons have no income: UWV answers NietsGevonden
}

TEST(Population, VehiclesHaveUniquePlates) {
  std::set<std::string> plates;
  for (const Person& p : population().persons())
    for (const Vehicle& v : p.vehicles) {
      EXPECT_TRUE(plates.insert(v.kenteken).second) << v.kenteken;
      EXPECT_EQ(v.kenteken.size(), 8u) << v.kenteken;
      EXPECT_FALSE(v.merk.empty());
    }
  EXPECT_GT(plates.size(), 100u);
}

TEST(Population, AddressesLookDutch) {
  for (const Person& p : population().persons()) {
    const Address& a = population().address_of(p);
    ASSERT_EQ(a.postcode.size(), 6u);
    EXPECT_TRUE(a.postcode[0] >= '1' && a.postcode[0] <= '9') << a.postcode;
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(a.postcode[4])) && std::isupper(static_cast<unsigned char>(a.postcode[5])));
    EXPECT_EQ(a.gemeente_code.size(), 4u);
    EXPECT_GT(a.huisnummer, 0);
  }
}

}  // namespace
}  // namespace doelpoort::sim
