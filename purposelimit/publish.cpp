#include "publish.h"

#include <set>
#include <sstream>

namespace doelpoort {
namespace {

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string join(const std::vector<std::string>& items) {
  return join(std::set<std::string>(items.begin(), items.end()));
}

std::set<std::string> categories_of(const Activity& a, const MappingSet& mappings) {
  std::set<std::string> out;
  for (const auto& [source, fields] : a.sources) {
    auto m = mappings.find(source);
    if (m == mappings.end()) continue;
    for (const auto& f : fields)
      if (auto it = m->second.fields.find(f); it != m->second.fields.end()) out.insert(it->second.category);
  }
  return out;
}

std::string source_names(const Activity& a, const MappingSet& mappings) {
  std::set<std::string> out;
  for (const auto& [source, fields] : a.sources) {
    auto m = mappings.find(source);
    out.insert(m != mappings.end() && !m->second.service.empty() ? source + " (" + m->second.service + ")" : source);
  }
  return join(out);
}

}  // namespace

std::string publish_markdown(const Register& reg, const MappingSet& mappings) {
  std::ostringstream o;
  o << "# Register van verwerkingen — " << reg.organisation << "\n\n";
  o << "Verwerkingsverantwoordelijke: " << reg.controller << ".  \n";
  if (!reg.contact.empty()) o << "Contact: " << reg.contact << ".  \n";
  o << "Versie van het register: " << reg.version << ".\n\n";
  for (const Activity& a : reg.activities) {
    o << "## " << a.name << "\n\n";
    o << "- **Doel:** " << a.purpose << "\n";
    o << "- **Grondslag:** " << a.legal_basis.ground << "; " << a.legal_basis.law << "\n";
    o << "- **Persoonsgegevens (categorieën):** " << join(categories_of(a, mappings)) << "\n";
    if (!a.data_subjects.empty()) o << "- **Betrokkenen:** " << join(a.data_subjects) << "\n";
    o << "- **Ontvangen van:** " << source_names(a, mappings) << "\n";
    if (!a.recipients.empty()) o << "- **Gedeeld met:** " << join(a.recipients) << "\n";
    if (!a.retention.empty()) o << "- **Bewaartermijn:** " << a.retention << "\n";
    o << "- *Activiteit " << a.id << ", versie " << a.version << "*\n\n";
  }
  return o.str();
}

}  // namespace doelpoort
