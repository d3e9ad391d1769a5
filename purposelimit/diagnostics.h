// Errors and warnings found while loading configuration, each naming `file:line:col`.
//
// Loaders report every problem they find instead of stopping at the first, so `doelpoort check`
// shows the whole list; a configuration with any error is refused as a whole.
#pragma once

#include <string>
#include <vector>

namespace doelpoort {

struct Diagnostic {
  enum class Level { Error, Warning } level;
  std::string where;    ///< "file:line:col" (1-based), or "file" when no position applies
  std::string message;
  std::string to_string() const;  ///< "where: error: message"
};

class Diagnostics {
 public:
  void error(std::string where, std::string message);
  void warning(std::string where, std::string message);
  bool has_errors() const { return errors_ > 0; }
  std::size_t error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return items_; }
  /// The first error as one line, for a start-up failure message.
  std::string first_error() const;

 private:
  std::vector<Diagnostic> items_;
  std::size_t errors_ = 0;
};

}  // namespace doelpoort
