// Burgerservicenummers for the simulated registries.
//
// The gateway has its own check (purposelimit/bsn.h); the simulator keeps one too so that it links
// nothing of the gateway but the transport. Both implement the same rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace doelpoort::sim {

/// True when `bsn` is nine digits that pass the 11-proef (9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 mod 11)
/// and is not all zeros.
bool is_valid_bsn(std::string_view bsn);

/// The BSN whose first eight digits are `first_eight` (10000000..99999999) with the check digit that
/// makes it pass the 11-proef, or nullopt when no digit does (the weighted sum leaves remainder 10).
std::optional<std::string> complete_bsn(std::uint32_t first_eight);

}  // namespace doelpoort::sim
