#include "bsn.h"

namespace doelpoort::sim {

bool is_valid_bsn(std::string_view bsn) {
  if (bsn.size() != 9) return false;
  int sum = 0;
  bool all_zero = true;
  for (std::size_t i = 0; i < 9; ++i) {
    const char c = bsn[i];
    if (c < '0' || c > '9') return false;
    const int digit = c - '0';
    all_zero = all_zero && digit == 0;
    sum += (i < 8 ? static_cast<int>(9 - i) : -1) * digit;
  }
  return !all_zero && sum % 11 == 0;
}

std::optional<std::string> complete_bsn(std::uint32_t first_eight) {
  std::string bsn = std::to_string(first_eight);
  if (bsn.size() != 8) return std::nullopt;
  int sum = 0;
  for (std::size_t i = 0; i < 8; ++i) sum += static_cast<int>(9 - i) * (bsn[i] - '0');
  const int check = sum % 11;  // sum - check ≡ 0 (mod 11)
  if (check == 10) return std::nullopt;
  bsn += static_cast<char>('0' + check);
  return bsn;
}

}  // namespace doelpoort::sim
