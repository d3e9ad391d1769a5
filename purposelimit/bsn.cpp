#include "bsn.h"

namespace doelpoort {

bool is_valid_bsn(std::string_view bsn) {
  if (bsn.size() != 9) return false;
  int sum = 0;
  bool all_zero = true;
  for (std::size_t i = 0; i < 9; ++i) {
    char c = bsn[i];
    if (c < '0' || c > '9') return false;
    int digit = c - '0';
    all_zero = all_zero && digit == 0;
    sum += (i < 8 ? static_cast<int>(9 - i) : -1) * digit;
  }
  return !all_zero && sum % 11 == 0;
}

}  // namespace doelpoort
