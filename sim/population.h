// The synthetic population behind the simulated registries: persons in households (partners and
// children at one address), their income relationships and vehicles.
//
// Contract: generate(seed, count) is deterministic: the same seed and count give the same persons, in
// the same order, with the same BSNs, on every build and every day (ages and income months are
// relative to kPeildatum, not the clock). Every BSN passes the 11-proef and is unique. Partners point
// at each other; children are listed by both parents and share their address. Some persons are
// deceased (no income after death); some have no income relationship.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "person.h"

namespace doelpoort::sim {

class Population {
 public:
  static constexpr std::uint64_t kDefaultSeed = 1;
  static constexpr std::size_t kDefaultCount = 1000;

  static Population generate(std::uint64_t seed, std::size_t count);

  std::span<const Person> persons() const { return persons_; }
  const Person& at(PersonIndex index) const { return persons_.at(index); }
  /// The person with this BSN, or null when there is none.
  const Person* find(std::string_view bsn) const;
  /// The household address a person lives (or last lived) at.
  const Address& address_of(const Person& person) const { return addresses_.at(person.household); }
  const Employer& employer_of(const Employment& employment) const {
    return employers_.at(employment.employer);
  }
  std::span<const Employer> employers() const { return employers_; }

  /// `n` BSNs that pass the 11-proef but belong to no one here; deterministic for the seed.
  std::vector<std::string> absent_bsns(std::size_t n) const;

 private:
  friend class PopulationBuilder;

  std::uint64_t seed_ = 0;
  std::vector<Person> persons_;
  std::vector<Address> addresses_;  ///< one per household
  std::vector<Employer> employers_;
  std::unordered_map<std::string, PersonIndex> by_bsn_;
};

/// The income reporting window: the months listed in income dossiers (the two years before kPeildatum).
inline constexpr Date kIncomeWindowStart{2023, 1, 1};
inline constexpr Date kIncomeWindowEnd{2024, 12, 31};

}  // namespace doelpoort::sim
