#include "policy.h"

namespace doelpoort {

const Application* Policy::find_application(const std::string& id) const {
  for (const auto& app : applications)
    if (app.id == id) return &app;
  return nullptr;
}

const Mapping* Policy::mapping_of(const std::string& source) const {
  auto it = mappings->find(source);
  return it == mappings->end() ? nullptr : &it->second;
}

void cross_check(const Policy& p, const std::set<std::string>& configured_sources, Diagnostics& diags) {
  const Register& reg = *p.reg;
  for (const auto& [source, m] : *p.mappings) {
    for (const auto& [name, field] : m.fields)
      if (reg.category(field.category) == nullptr)
        diags.error(field.where, "field \"" + name + "\": category \"" + field.category + "\" is not in the register's categories");
    if (reg.organisation_of(source) == nullptr)
      diags.warning(m.file, "source \"" + source + "\" belongs to no organisation in the register");
  }
  for (const Activity& a : reg.activities) {
    const std::string what = "activity \"" + a.id + "\": ";
    for (const auto& role : a.roles)
      if (!p.staff->roles.count(role)) diags.error(a.where, what + "unknown role \"" + role + "\"");
    for (const auto& [source, fields] : a.sources) {
      const std::string& where = a.source_where.count(source) ? a.source_where.at(source) : a.where;
      const Mapping* m = p.mapping_of(source);
      if (m == nullptr) {
        diags.error(where, what + "unknown source \"" + source + "\" (no file in mappings/ maps it)");
        continue;
      }
      if (!configured_sources.count(source))
        diags.error(where, what + "source \"" + source + "\" has no connection in the gateway configuration");
      for (const auto& field : fields) {
        auto f = m->fields.find(field);
        if (f == m->fields.end()) {
          diags.error(where, what + "source \"" + source + "\" has no field \"" + field + "\" (see " + m->file + ")");
        } else if (!a.categories.count(f->second.category)) {
          // The published register must name every category the activity can actually receive.
          diags.error(where, what + "field \"" + field + "\" is of category \"" + f->second.category +
                                 "\", which the activity's categories do not name");
        }
      }
      for (SearchKey key : a.proportionality.search_keys)
        if (m->request_for(key) == nullptr && key != SearchKey::Bsn)
          diags.warning(where, what + "source \"" + source + "\" cannot be searched by " + std::string(name(key)));
    }
  }
  for (const auto& app : p.applications)
    for (const auto& id : app.activities)
      if (reg.find(id) == nullptr) diags.error("application \"" + app.id + "\"", "unknown activity \"" + id + "\"");
}

}  // namespace doelpoort
