// Strict reading of one YAML file with yaml-cpp: typed getters that report, with `file:line:col`,
// unknown keys, duplicate keys, missing required keys and values of the wrong shape.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.h"

namespace doelpoort {

class YamlReader {
 public:
  /// Parses `path`; on a read or syntax error reports it and returns nullopt.
  static std::optional<YamlReader> open(const std::string& path, Diagnostics& diags);
  /// Parses `text` as if it were file `name` (for tests).
  static std::optional<YamlReader> parse(const std::string& name, const std::string& text, Diagnostics& diags);

  const YAML::Node& root() const { return root_; }
  const std::string& file() const { return file_; }
  std::string where(const YAML::Node& node) const;

  void error(const YAML::Node& at, const std::string& message) const;
  void warning(const YAML::Node& at, const std::string& message) const;
  /// An error at a position recorded earlier with where().
  void diags_error(const std::string& where, const std::string& message) const { diags_->error(where, message); }

  /// Checks that `node` is a map with only the keys in `required` and `optional`, no duplicates and every
  /// required key present. `what` names the thing in messages ("activity \"pw-x\"").
  bool check_map(const YAML::Node& node, std::string_view what, std::initializer_list<std::string_view> required,
                 std::initializer_list<std::string_view> optional) const;

  /// A scalar string; reports a non-scalar or (when `required`) missing value.
  std::string string(const YAML::Node& map, const char* key, bool required = true) const;
  /// A non-negative integer; `fallback` when absent.
  long integer(const YAML::Node& map, const char* key, long fallback, long min, long max) const;
  bool boolean(const YAML::Node& map, const char* key, bool fallback) const;
  /// A sequence of scalar strings; reports duplicates.
  std::vector<std::string> strings(const YAML::Node& map, const char* key, bool required = true) const;

 private:
  YamlReader(std::string file, YAML::Node root, Diagnostics& diags)
      : file_(std::move(file)), root_(std::move(root)), diags_(&diags) {}
  std::string file_;
  YAML::Node root_;
  Diagnostics* diags_;
};

/// Resolves `path` against the directory of `relative_to_file` unless it is absolute.
std::string resolve_path(const std::string& relative_to_file, const std::string& path);

}  // namespace doelpoort
