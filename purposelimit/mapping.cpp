#include "mapping.h"

#include <algorithm>
#include <array>
#include <filesystem>

#include "yaml_reader.h"

namespace doelpoort {
namespace {

constexpr std::array<std::pair<std::string_view, RequestTemplate::Slot>, 9> kSlots{{
    {"message_id", RequestTemplate::Slot::MessageId},
    {"action", RequestTemplate::Slot::Action},
    {"to", RequestTemplate::Slot::To},
    {"bsn", RequestTemplate::Slot::Bsn},
    {"geslachtsnaam", RequestTemplate::Slot::Geslachtsnaam},
    {"geboortedatum", RequestTemplate::Slot::Geboortedatum},
    {"postcode", RequestTemplate::Slot::Postcode},
    {"huisnummer", RequestTemplate::Slot::Huisnummer},
    {"kenteken", RequestTemplate::Slot::Kenteken},
}};

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

}  // namespace

bool RequestTemplate::parse(const std::string& text, std::string& error) {
  parts_.clear();
  literal_size_ = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t open = text.find("{{", pos);
    Part part;
    if (open == std::string::npos) {
      part.literal = text.substr(pos);
      literal_size_ += part.literal.size();
      parts_.push_back(std::move(part));
      return true;
    }
    std::size_t close = text.find("}}", open);
    if (close == std::string::npos) {
      error = "unterminated placeholder in request template";
      return false;
    }
    std::string_view name(text.data() + open + 2, close - open - 2);
    auto slot = std::find_if(kSlots.begin(), kSlots.end(), [&](const auto& s) { return s.first == name; });
    if (slot == kSlots.end()) {
      error = "unknown placeholder {{" + std::string(name) + "}} in request template";
      return false;
    }
    part.literal = text.substr(pos, open - pos);
    part.slot = slot->second;
    literal_size_ += part.literal.size();
    parts_.push_back(std::move(part));
    pos = close + 2;
  }
}

std::string RequestTemplate::render(const Values& v) const {
  std::string out;
  out.reserve(literal_size_ + 256);
  for (const auto& p : parts_) {
    out += p.literal;
    if (p.slot != Slot::Count) append_escaped(out, v[static_cast<std::size_t>(p.slot)]);
  }
  return out;
}

bool RequestTemplate::uses(Slot slot) const {
  return std::any_of(parts_.begin(), parts_.end(), [&](const Part& p) { return p.slot == slot; });
}

namespace {

std::optional<Mapping> read_mapping(const YamlReader& y) {
  const YAML::Node n = y.root();
  if (!y.check_map(n, "mapping", {"source", "namespaces", "requests", "fields"},
                   {"service", "not_found", "fault", "subject_bsn"}))
    return std::nullopt;
  Mapping m;
  m.file = y.file();
  m.source = y.string(n, "source");
  m.service = y.string(n, "service", false);
  m.not_found = y.string(n, "not_found", false);
  m.fault = y.string(n, "fault", false);
  m.subject_bsn = y.string(n, "subject_bsn", false);
  const YAML::Node ns = n["namespaces"];
  if (!ns.IsMap()) {
    y.error(ns, "namespaces must map each prefix to a namespace URI");
  } else {
    for (const auto& kv : ns) m.namespaces.emplace(kv.first.Scalar(), kv.second.as<std::string>(""));
  }
  const YAML::Node requests = n["requests"];
  if (!requests.IsMap() || requests.size() == 0) {
    y.error(requests, "requests must map each search key (bsn, kenteken, ...) to its action and body");
  } else {
    for (const auto& kv : requests) {
      auto key = search_key_from_name(kv.first.Scalar());
      if (!key) {
        y.error(kv.first, "unknown search key \"" + kv.first.Scalar() + "\"");
        continue;
      }
      if (!y.check_map(kv.second, "request \"" + kv.first.Scalar() + "\"", {"action", "body"}, {})) continue;
      SourceRequest r;
      r.action = y.string(kv.second, "action");
      std::string error;
      if (!r.body.parse(y.string(kv.second, "body"), error)) y.error(kv.second["body"], error);
      m.requests.emplace(*key, std::move(r));
    }
  }

  const YAML::Node fields = n["fields"];
  if (!fields.IsMap() || fields.size() == 0) {
    y.error(fields, "fields must map each canonical field name to its xpath and category");
    return m;
  }
  for (const auto& kv : fields) {
    const std::string name = kv.first.Scalar();
    const std::string what = "field \"" + name + "\"";
    if (!y.check_map(kv.second, what, {"xpath", "category"}, {})) continue;
    MappedField f{y.string(kv.second, "xpath"), y.string(kv.second, "category"), y.where(kv.first)};
    if (!m.fields.emplace(name, std::move(f)).second) y.error(kv.first, what + " is defined twice");
  }
  return m;
}

}  // namespace

std::shared_ptr<const MappingSet> load_mappings(const std::string& dir, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  if (ec) {
    diags.error(dir, "cannot read mappings directory: " + ec.message());
    return nullptr;
  }
  std::sort(files.begin(), files.end());
  auto set = std::make_shared<MappingSet>();
  for (const auto& file : files) {
    auto y = YamlReader::open(file, diags);
    if (!y) continue;
    auto m = read_mapping(*y);
    if (!m) continue;
    const std::string source = m->source;
    if (set->count(source)) {
      y->error(y->root()["source"], "source \"" + source + "\" is already mapped by " + set->at(source).file);
      continue;
    }
    set->emplace(source, std::move(*m));
  }
  if (files.empty()) diags.error(dir, "no mapping files (*.yaml)");
  if (diags.error_count() != errors_before) return nullptr;
  return set;
}

}  // namespace doelpoort
