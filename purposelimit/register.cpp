#include "register.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "yaml_reader.h"

namespace doelpoort {

const std::set<std::string>* Activity::fields_of(const std::string& source) const {
  auto it = sources.find(source);
  return it == sources.end() ? nullptr : &it->second;
}

const SpecialCategoryGrant* Activity::grant_for(const std::string& category) const {
  for (const auto& g : special_categories)
    if (g.category == category) return &g;
  return nullptr;
}

const Activity* Register::find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &activities[it->second];
}

const Category* Register::category(const std::string& id) const {
  auto it = categories.find(id);
  return it == categories.end() ? nullptr : &it->second;
}

const Organisation* Register::organisation_of(const std::string& service) const {
  for (const auto& [id, org] : organisations)
    if (org.services.count(service)) return &org;
  return nullptr;
}

void Register::index() {
  by_id_.clear();
  for (std::size_t i = 0; i < activities.size(); ++i) by_id_.emplace(activities[i].id, i);
}

bool is_eea_country(const std::string& c) {
  // EU member states plus Iceland, Liechtenstein and Norway.
  static constexpr std::array<const char*, 30> kEea{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
                                                    "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
                                                    "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"};
  return std::any_of(kEea.begin(), kEea.end(), [&](const char* e) { return c == e; });
}

namespace {

// "mon-fri 07:00-19:00" or "mon,wed,fri 08:30-17:00"
bool parse_office_hours(const std::string& text, OfficeHours& out) {
  static constexpr std::array<const char*, 7> kDays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  auto day = [&](const std::string& d) -> int {
    for (int i = 0; i < 7; ++i)
      if (d == kDays[static_cast<std::size_t>(i)]) return i;
    return -1;
  };
  auto space = text.find(' ');
  if (space == std::string::npos) return false;
  const std::string days = text.substr(0, space), hours = text.substr(space + 1);
  std::uint8_t mask = 0;
  std::size_t start = 0;
  while (start <= days.size()) {
    std::size_t comma = days.find(',', start);
    const std::string part = days.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto dash = part.find('-');
    int from = day(part.substr(0, dash)), to = dash == std::string::npos ? from : day(part.substr(dash + 1));
    if (from < 0 || to < from) return false;
    for (int d = from; d <= to; ++d) mask = static_cast<std::uint8_t>(mask | (1U << d));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
  char tail = 0;
  if (std::sscanf(hours.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4) return false;
  if (h1 > 24 || h2 > 24 || m1 > 59 || m2 > 59) return false;
  out.days = mask;
  out.from_minute = h1 * 60 + m1;
  out.to_minute = h2 * 60 + m2;
  return out.from_minute < out.to_minute && out.to_minute <= 24 * 60;
}

void read_proportionality(const YamlReader& y, const YAML::Node& n, const std::string& what, Proportionality& p) {
  if (!n) return;
  if (!y.check_map(n, what + " proportionality", {},
                   {"case_reference", "caseload_binding", "search_keys", "max_subjects_per_user_per_day",
                    "max_inquiries_per_user_per_hour", "office_hours", "break_glass"}))
    return;
  const std::string case_ref = y.string(n, "case_reference", false);
  if (case_ref == "optional") {
    p.case_reference_required = false;
  } else if (!case_ref.empty() && case_ref != "required") {
    y.error(n["case_reference"], what + ": case_reference must be \"required\" or \"optional\"");
  }
  p.caseload_binding = y.boolean(n, "caseload_binding", false);
  if (n["search_keys"]) {
    p.search_keys.clear();
    for (const auto& k : y.strings(n, "search_keys")) {
      auto key = search_key_from_name(k);
      if (!key) {
        y.error(n["search_keys"], what + ": unknown search key \"" + k + "\" (bsn, naam_geboortedatum, postcode_huisnummer, kenteken)");
        continue;
      }
      p.search_keys.insert(*key);
    }
    if (p.search_keys.empty()) y.error(n["search_keys"], what + ": search_keys is empty: no inquiry could name a subject");
  }
  p.max_subjects_per_user_per_day = static_cast<std::uint32_t>(y.integer(n, "max_subjects_per_user_per_day", 0, 1, 1000000));
  p.max_inquiries_per_user_per_hour = static_cast<std::uint32_t>(y.integer(n, "max_inquiries_per_user_per_hour", 0, 1, 1000000));
  if (n["office_hours"] && !parse_office_hours(y.string(n, "office_hours"), p.office_hours))
    y.error(n["office_hours"], what + ": office_hours must look like \"mon-fri 07:00-19:00\"");
  p.break_glass = y.boolean(n, "break_glass", false);
  if (p.caseload_binding && (p.search_keys.size() != 1 || !p.search_keys.count(SearchKey::Bsn)))
    y.error(n["caseload_binding"], what + ": caseload_binding needs search_keys [bsn]: a search cannot be bound to a case");
}

void read_sources(const YamlReader& y, const YAML::Node& sources, const std::string& what, Activity& a) {
  if (!sources.IsMap()) {
    y.error(sources, what + ": sources must map each source to its allowed fields ({} for none)");
    return;
  }
  for (const auto& kv : sources) {
    const std::string source = kv.first.Scalar();
    if (a.sources.count(source)) {
      y.error(kv.first, what + ": source \"" + source + "\" listed twice");
      continue;
    }
    if (!kv.second.IsSequence() || kv.second.size() == 0) {
      y.error(kv.second, what + ": source \"" + source + "\" must list at least one field");
      continue;
    }
    std::set<std::string> fields;
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

void read_special_categories(const YamlReader& y, const YAML::Node& list, const std::string& what, Activity& a) {
  if (!list) return;
  if (!list.IsSequence()) {
    y.error(list, what + ": special_categories must be a list");
    return;
  }
  for (const auto& n : list) {
    if (!y.check_map(n, what + " special category", {"category", "basis", "roles"}, {})) continue;
    SpecialCategoryGrant g;
    g.category = y.string(n, "category");
    g.basis = y.string(n, "basis");
    for (auto& r : y.strings(n, "roles")) g.roles.insert(std::move(r));
    if (a.grant_for(g.category) != nullptr) y.error(n, what + ": special category \"" + g.category + "\" listed twice");
    a.special_categories.push_back(std::move(g));
  }
}

std::optional<Activity> read_activity(const YamlReader& y, const YAML::Node& n) {
  const std::string id = n.IsMap() && n["id"] && n["id"].IsScalar() ? n["id"].Scalar() : "?";
  const std::string what = "activity \"" + id + "\"";
  if (!y.check_map(n, what,
                   {"id", "version", "name", "purpose", "legal_basis", "categories", "received_from", "retention",
                    "roles", "sources"},
                   {"controller", "data_subjects", "special_categories", "recipients", "confidentiality",
                    "proportionality"}))
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
  a.controller = y.string(n, "controller", false);
  a.data_subjects = y.strings(n, "data_subjects", false);
  for (auto& c : y.strings(n, "categories")) a.categories.insert(std::move(c));
  read_special_categories(y, n["special_categories"], what, a);
  for (auto& o : y.strings(n, "received_from")) a.received_from.insert(std::move(o));
  a.recipients = y.strings(n, "recipients", false);
  a.retention = y.string(n, "retention");
  if (const YAML::Node c = n["confidentiality"]) {
    if (y.check_map(c, what + " confidentiality", {"reason", "period_days"}, {}))
      a.confidentiality = Confidentiality{y.string(c, "reason"), static_cast<int>(y.integer(c, "period_days", 0, 1, 36500))};
  }
  for (auto& r : y.strings(n, "roles")) a.roles.insert(std::move(r));
  read_proportionality(y, n["proportionality"], what, a.proportionality);
  read_sources(y, n["sources"], what, a);
  if (!a.sources.empty() && a.roles.empty()) y.error(n["roles"], what + ": no roles: nobody could use its sources");
  return a;
}

void read_categories(const YamlReader& y, const YAML::Node& map, Register& reg) {
  if (!map.IsMap() || map.size() == 0) {
    y.error(map, "categories must map each category of personal data to its name");
    return;
  }
  for (const auto& kv : map) {
    const std::string id = kv.first.Scalar();
    const std::string what = "category \"" + id + "\"";
    if (!y.check_map(kv.second, what, {"name"}, {"description", "special"})) continue;
    Category c{id, y.string(kv.second, "name"), y.string(kv.second, "description", false),
               y.string(kv.second, "special", false)};
    if (!c.special.empty() && c.special != "art. 9" && c.special != "art. 10")
      y.error(kv.second["special"], what + ": special must be \"art. 9\" or \"art. 10\"");
    reg.categories.emplace(id, std::move(c));
  }
}

void read_organisations(const YamlReader& y, const YAML::Node& map, Register& reg) {
  if (!map.IsMap() || map.size() == 0) {
    y.error(map, "organisations must map each organisation data is received from to its name and country");
    return;
  }
  for (const auto& kv : map) {
    const std::string id = kv.first.Scalar();
    const std::string what = "organisation \"" + id + "\"";
    if (!y.check_map(kv.second, what, {"name", "country"}, {"services"})) continue;
    Organisation o{id, y.string(kv.second, "name"), y.string(kv.second, "country"), {}};
    if (!is_eea_country(o.country))
      y.error(kv.second["country"], what + ": country \"" + o.country +
                                        "\" is outside the EEA: receiving personal data from it is not allowed");
    for (auto& s : y.strings(kv.second, "services", false)) {
      if (const Organisation* other = reg.organisation_of(s))
        y.error(kv.second["services"], what + ": service \"" + s + "\" already belongs to \"" + other->id + "\"");
      o.services.insert(std::move(s));
    }
    reg.organisations.emplace(id, std::move(o));
  }
}

// Checks within the register: everything an activity names is defined, and special categories have a
// basis of their own.
void check_activity(const YamlReader& y, const YAML::Node& n, const Register& reg, const Activity& a) {
  const std::string what = "activity \"" + a.id + "\"";
  for (const auto& c : a.categories) {
    const Category* cat = reg.category(c);
    if (cat == nullptr) {
      y.error(n["categories"], what + ": unknown category \"" + c + "\"");
    } else if (!cat->special.empty() && a.grant_for(c) == nullptr) {
      y.error(n["categories"], what + ": special category \"" + c + "\" (AVG " + cat->special +
                                   ") needs an entry in special_categories with its own basis");
    }
  }
  for (const auto& g : a.special_categories) {
    const Category* cat = reg.category(g.category);
    if (cat == nullptr || cat->special.empty())
      y.error(n["special_categories"], what + ": \"" + g.category + "\" is not a special category");
    if (!a.categories.count(g.category))
      y.error(n["special_categories"], what + ": special category \"" + g.category + "\" is not in its categories");
    for (const auto& r : g.roles)
      if (!a.roles.count(r))
        y.error(n["special_categories"], what + ": role \"" + r + "\" of special category \"" + g.category +
                                             "\" is not among the activity's roles");
  }
  for (const auto& o : a.received_from)
    if (!reg.organisations.count(o)) y.error(n["received_from"], what + ": unknown organisation \"" + o + "\"");
  for (const auto& [source, fields] : a.sources) {
    const Organisation* org = reg.organisation_of(source);
    const std::string& where = a.source_where.at(source);
    if (org == nullptr) {
      y.diags_error(where, what + ": source \"" + source + "\" belongs to no organisation in organisations");
    } else if (!a.received_from.count(org->id)) {
      y.diags_error(where, what + ": source \"" + source + "\" is run by \"" + org->id +
                               "\", which received_from does not name");
    }
  }
  const Proportionality& p = a.proportionality;
  if (!a.sources.empty() && p.search_keys.size() > 1 && p.max_subjects_per_user_per_day == 0)
    y.warning(n, what + ": allows searching without a BSN but sets no max_subjects_per_user_per_day");
  if (!a.sources.empty() && !p.case_reference_required)
    y.warning(n, what + ": consults sources without requiring a case reference");
  if (p.break_glass && !p.office_hours.restricts() && !p.caseload_binding)
    y.warning(n, what + ": break_glass lifts nothing here (no office hours, no caseload binding)");
}

}  // namespace

namespace {

std::shared_ptr<const Register> read_register(std::optional<YamlReader> y, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  if (!y) return nullptr;
  const YAML::Node root = y->root();
  if (!y->check_map(root, "register file", {"register", "categories", "organisations", "activities"}, {}))
    return nullptr;

  auto reg = std::make_shared<Register>();
  const YAML::Node head = root["register"];
  if (y->check_map(head, "register", {"version", "organisation", "controller"}, {"contact"})) {
    reg->version = y->string(head, "version");
    reg->organisation = y->string(head, "organisation");
    reg->controller = y->string(head, "controller");
    reg->contact = y->string(head, "contact", false);
  }
  read_categories(*y, root["categories"], *reg);
  read_organisations(*y, root["organisations"], *reg);
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
    if (a->controller.empty()) a->controller = reg->controller;
    check_activity(*y, n, *reg, *a);
    reg->activities.push_back(std::move(*a));
  }
  if (diags.error_count() != errors_before) return nullptr;
  reg->index();
  return reg;
}

}  // namespace

std::shared_ptr<const Register> load_register(const std::string& path, Diagnostics& diags) {
  return read_register(YamlReader::open(path, diags), diags);
}

std::shared_ptr<const Register> parse_register(const std::string& name, const std::string& text, Diagnostics& diags) {
  return read_register(YamlReader::parse(name, text, diags), diags);
}

}  // namespace doelpoort
