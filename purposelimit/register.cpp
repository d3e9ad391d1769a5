#include "register.h"

#include "yaml_reader.h"

namespace doelpoort {

const std::set<std::string>* Activity::fields_of(const std::string& source) const {
  auto it = sources.find(source);
  return it == sources.end() ? nullptr : &it->second;
}

const Activity* Register::find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &activities[it->second];
}

void Register::index() {
  by_id_.clear();
  for (std::size_t i = 0; i < activities.size(); ++i) by_id_.emplace(activities[i].id, i);
}

namespace {

std::optional<Activity> read_activity(const YamlReader& y, const YAML::Node& n) {
  const std::string id = n.IsMap() && n["id"] && n["id"].IsScalar() ? n["id"].Scalar() : "?";
  const std::string what = "activity \"" + id + "\"";
  if (!y.check_map(n, what, {"id", "version", "name", "purpose", "legal_basis", "roles", "sources"},
                   {"data_subjects", "recipients", "retention", "case_reference", "break_glass"}))
    return std::nullopt;
  Activity a;
  a.where = y.where(n);
  a.id = y.string(n, "id");
  a.version = y.string(n, "version");
  a.name = y.string(n, "name");
  a.purpose = y.string(n, "purpose");
  const YAML::Node lb = n["legal_basis"];
  if (y.check_map(lb, what + " legal_basis", {"ground", "law"}, {})) {
    a.legal_basis.ground = y.string(lb, "ground");
    a.legal_basis.law = y.string(lb, "law");
  }
  a.data_subjects = y.strings(n, "data_subjects", false);
  a.recipients = y.strings(n, "recipients", false);
  a.retention = y.string(n, "retention", false);
  for (auto& r : y.strings(n, "roles")) a.roles.insert(std::move(r));
  if (a.roles.empty()) y.error(n["roles"], what + ": no roles: nobody could use it");

  const std::string case_ref = y.string(n, "case_reference", false);
  if (case_ref == "optional") {
    a.case_reference_required = false;
  } else if (!case_ref.empty() && case_ref != "required") {
    y.error(n["case_reference"], what + ": case_reference must be \"required\" or \"optional\"");
  }
  a.break_glass_allowed = y.boolean(n, "break_glass", false);

  const YAML::Node sources = n["sources"];
  if (!sources.IsMap() || sources.size() == 0) {
    y.error(sources, what + ": sources must map each source to its allowed fields");
  } else {
    for (const auto& kv : sources) {
      const std::string source = kv.first.Scalar();
      if (a.sources.count(source)) {
        y.error(kv.first, what + ": source \"" + source + "\" listed twice");
        continue;
      }
      std::set<std::string> fields;
      if (!kv.second.IsSequence() || kv.second.size() == 0) {
        y.error(kv.second, what + ": source \"" + source + "\" must list at least one field");
        continue;
      }
      for (const auto& f : kv.second) {
        if (!f.IsScalar()) {
          y.error(f, what + ": fields of \"" + source + "\" must be names");
        } else if (!fields.insert(f.Scalar()).second) {
          y.error(f, what + ": field \"" + f.Scalar() + "\" of \"" + source + "\" listed twice");
        }
      }
      a.sources.emplace(source, std::move(fields));
      a.source_where.emplace(source, y.where(kv.first));
    }
  }
  return a;
}

}  // namespace

std::shared_ptr<const Register> load_register(const std::string& path, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  auto y = YamlReader::open(path, diags);
  if (!y) return nullptr;
  const YAML::Node root = y->root();
  if (!y->check_map(root, "register file", {"register", "activities"}, {})) return nullptr;

  auto reg = std::make_shared<Register>();
  const YAML::Node head = root["register"];
  if (y->check_map(head, "register", {"version", "organisation", "controller"}, {"contact"})) {
    reg->version = y->string(head, "version");
    reg->organisation = y->string(head, "organisation");
    reg->controller = y->string(head, "controller");
    reg->contact = y->string(head, "contact", false);
  }
  const YAML::Node list = root["activities"];
  if (!list.IsSequence() || list.size() == 0) {
    y->error(list, "activities must be a non-empty list");
    return nullptr;
  }
  std::set<std::string> ids;
  for (const auto& n : list) {
    auto a = read_activity(*y, n);
    if (!a) continue;
    if (!ids.insert(a->id).second) {
      y->error(n["id"], "activity \"" + a->id + "\" is defined twice");
      continue;
    }
    reg->activities.push_back(std::move(*a));
  }
  if (diags.error_count() != errors_before) return nullptr;
  reg->index();
  return reg;
}

}  // namespace doelpoort
