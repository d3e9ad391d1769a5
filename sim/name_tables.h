// The tables the synthetic population is drawn from: Dutch-looking names, streets, towns with their
// municipality codes and postcode ranges, employers, vehicles. A few names carry diacritics on purpose
// (UTF-8 end to end). Towns are real; all persons, employers and addresses are invented.
#pragma once

#include <span>
#include <string_view>

namespace doelpoort::sim {

struct Surname {
  std::string_view voorvoegsel;  ///< "" when none
  std::string_view naam;
};

struct Town {
  std::string_view naam;
  std::string_view gemeente_code;  ///< CBS/GBA municipality code, four digits
  int postcode_lo;                 ///< first four postcode digits used in this town
  int postcode_hi;
};

struct Nationality {
  std::string_view code;     ///< CdNationaliteit
  std::string_view country;  ///< CdLandGba of the matching country of birth
  std::string_view birthplace;
};

struct CarModel {
  std::string_view merk;
  std::string_view type;
};

std::span<const std::string_view> male_first_names();
std::span<const std::string_view> female_first_names();
std::span<const Surname> surnames();
std::span<const std::string_view> street_names();
std::span<const Town> towns();
/// Nationalities other than Dutch ("0001"), with a plausible place and country of birth.
std::span<const Nationality> foreign_nationalities();
std::span<const std::string_view> employer_names();
std::span<const CarModel> car_models();
std::span<const std::string_view> car_colours();

}  // namespace doelpoort::sim
