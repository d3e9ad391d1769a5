// Reading samples back from the Prometheus text format, for tests.
#pragma once

#include <map>
#include <optional>
#include <sstream>
#include <string>

namespace doelpoort::testing {

/// The value of the sample `name` whose labels are exactly `labels`, or nullopt when there is none.
inline std::optional<double> sample(const std::string& text, const std::string& name,
                                    const std::map<std::string, std::string>& labels = {}) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.compare(0, name.size(), name) != 0) continue;
    std::size_t at = name.size();
    std::map<std::string, std::string> found;
    if (at < line.size() && line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        const std::size_t eq = line.find('=', at);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') break;
        std::string value;
        std::size_t i = eq + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) ++i;
          value += line[i];
        }
        found[line.substr(at, eq - at)] = value;
        at = i + 1;
        if (at < line.size() && line[at] == ',') ++at;
      }
      if (at >= line.size() || line[at] != '}') continue;
      ++at;
    }
    if (at >= line.size() || line[at] != ' ' || found != labels) continue;
    return std::stod(line.substr(at + 1));
  }
  return std::nullopt;
}

/// `sample` or 0 when absent (a counter never incremented may not be exposed).
inline double value_or_zero(const std::string& text, const std::string& name,
                            const std::map<std::string, std::string>& labels = {}) {
  return sample(text, name, labels).value_or(0);
}

}  // namespace doelpoort::testing
