// Burgerservicenummer (BSN) checks.
#pragma once

#include <string_view>

namespace doelpoort {

/// True when `bsn` is nine digits that pass the 11-proef (9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 mod 11)
/// and is not all zeros.
bool is_valid_bsn(std::string_view bsn);

}  // namespace doelpoort
