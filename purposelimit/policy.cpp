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

void cross_check(const Policy& p, const std::set<std::string>& configured_sources,
                 Diagnostics& diags) {
  for (const Activity& a : p.reg->activities) {
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
      for (const auto& field : fields)
        if (!m->fields.count(field))
          diags.error(where, what + "source \"" + source + "\" has no field \"" + field + "\" (see " + m->file + ")");
    }
  }
  for (const auto& app : p.applications)
    for (const auto& id : app.activities)
      if (p.reg->find(id) == nullptr)
        diags.error("application \"" + app.id + "\"", "unknown activity \"" + id + "\"");
}

}  // namespace doelpoort
