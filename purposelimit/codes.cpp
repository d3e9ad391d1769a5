#include "codes.h"

namespace doelpoort {

std::optional<Code> code_from_name(std::string_view n) {
  for (std::size_t i = 0; i < std::size(kCodes); ++i)
    if (kCodes[i].name == n) return static_cast<Code>(i);
  return std::nullopt;
}

}  // namespace doelpoort
