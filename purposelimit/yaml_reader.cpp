#include "yaml_reader.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace doelpoort {

std::optional<YamlReader> YamlReader::open(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path);
  if (!in) {
    diags.error(path, "cannot read file");
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse(path, text.str(), diags);
}

std::optional<YamlReader> YamlReader::parse(const std::string& name, const std::string& text,
                                            Diagnostics& diags) {
  try {
    YAML::Node root = YAML::Load(text);
    return YamlReader(name, root, diags);
  } catch (const YAML::Exception& e) {
    diags.error(name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1),
                "YAML syntax: " + e.msg);
    return std::nullopt;
  }
}

std::string YamlReader::where(const YAML::Node& node) const {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return file_;
  return file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

void YamlReader::error(const YAML::Node& at, const std::string& message) const {
  diags_->error(where(at), message);
}

void YamlReader::warning(const YAML::Node& at, const std::string& message) const {
  diags_->warning(where(at), message);
}

bool YamlReader::check_map(const YAML::Node& node, std::string_view what,
                           std::initializer_list<std::string_view> required,
                           std::initializer_list<std::string_view> optional) const {
  if (!node.IsMap()) {
    error(node, std::string(what) + ": expected a mapping");
    return false;
  }
  bool ok = true;
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) {
      error(kv.first, std::string(what) + ": duplicate key \"" + key + "\"");
      ok = false;
      continue;
    }
    bool known = std::find(required.begin(), required.end(), key) != required.end() ||
                 std::find(optional.begin(), optional.end(), key) != optional.end();
    if (!known) {
      error(kv.first, std::string(what) + ": unknown key \"" + key + "\"");
      ok = false;
    }
  }
  for (std::string_view key : required) {
    if (!seen.count(std::string(key))) {
      error(node, std::string(what) + ": missing required key \"" + std::string(key) + "\"");
      ok = false;
    }
  }
  return ok;
}

std::string YamlReader::string(const YAML::Node& map, const char* key, bool required) const {
  const YAML::Node v = map[key];
  if (!v) {
    if (required) error(map, std::string("missing required key \"") + key + "\"");
    return {};
  }
  if (!v.IsScalar()) {
    error(v, std::string("\"") + key + "\" must be a single value");
    return {};
  }
  return v.Scalar();
}

long YamlReader::integer(const YAML::Node& map, const char* key, long fallback, long min, long max) const {
  const YAML::Node v = map[key];
  if (!v) return fallback;
  long value = 0;
  if (!v.IsScalar() || !YAML::convert<long>::decode(v, value)) {
    error(v, std::string("\"") + key + "\" must be an integer");
    return fallback;
  }
  if (value < min || value > max) {
    error(v, std::string("\"") + key + "\" must be between " + std::to_string(min) + " and " + std::to_string(max));
    return fallback;
  }
  return value;
}

bool YamlReader::boolean(const YAML::Node& map, const char* key, bool fallback) const {
  const YAML::Node v = map[key];
  if (!v) return fallback;
  bool value = false;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, value)) {
    error(v, std::string("\"") + key + "\" must be true or false");
    return fallback;
  }
  return value;
}

std::vector<std::string> YamlReader::strings(const YAML::Node& map, const char* key, bool required) const {
  const YAML::Node v = map[key];
  std::vector<std::string> out;
  if (!v) {
    if (required) error(map, std::string("missing required key \"") + key + "\"");
    return out;
  }
  if (!v.IsSequence()) {
    error(v, std::string("\"") + key + "\" must be a list");
    return out;
  }
  std::set<std::string> seen;
  for (const auto& item : v) {
    if (!item.IsScalar()) {
      error(item, std::string("\"") + key + "\": each entry must be a single value");
      continue;
    }
    if (!seen.insert(item.Scalar()).second) {
      error(item, std::string("\"") + key + "\": \"" + item.Scalar() + "\" is listed twice");
      continue;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

std::string resolve_path(const std::string& relative_to_file, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  auto slash = relative_to_file.rfind('/');
  if (slash == std::string::npos) return path;
  return relative_to_file.substr(0, slash + 1) + path;
}

}  // namespace doelpoort
