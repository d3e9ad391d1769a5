// How an inquiry names its subject. A BSN is the default and the least intrusive; the others are search
// keys an activity must allow explicitly (a search can match people the case is not about).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace doelpoort {

// X(enum, register/audit name)
#define DOELPOORT_SEARCH_KEYS(X)             \
  X(Bsn, "bsn")                              \
  X(NaamGeboortedatum, "naam_geboortedatum") \
  X(PostcodeHuisnummer, "postcode_huisnummer") \
  X(Kenteken, "kenteken")

enum class SearchKey : std::uint8_t {
#define DOELPOORT_SEARCH_KEY_ENUM(e, n) e,
  DOELPOORT_SEARCH_KEYS(DOELPOORT_SEARCH_KEY_ENUM)
#undef DOELPOORT_SEARCH_KEY_ENUM
};

inline constexpr std::string_view kSearchKeyNames[] = {
#define DOELPOORT_SEARCH_KEY_NAME(e, n) n,
    DOELPOORT_SEARCH_KEYS(DOELPOORT_SEARCH_KEY_NAME)
#undef DOELPOORT_SEARCH_KEY_NAME
};

constexpr std::string_view name(SearchKey k) { return kSearchKeyNames[static_cast<std::size_t>(k)]; }

inline std::optional<SearchKey> search_key_from_name(std::string_view n) {
  for (std::size_t i = 0; i < std::size(kSearchKeyNames); ++i)
    if (kSearchKeyNames[i] == n) return static_cast<SearchKey>(i);
  return std::nullopt;
}

}  // namespace doelpoort
