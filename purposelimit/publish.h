// The citizen-facing "Register van verwerkingen", rendered from the same register that decides inquiries:
// per activity, which personal data (categories, from the mappings of its fields), the purpose, from whom
// it is received, with whom it is shared, the legal basis and the retention period.
#pragma once

#include <string>

#include "mapping.h"
#include "register.h"

namespace doelpoort {

std::string publish_markdown(const Register& reg, const MappingSet& mappings);

}  // namespace doelpoort
