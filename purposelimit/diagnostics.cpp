#include "diagnostics.h"

namespace doelpoort {

std::string Diagnostic::to_string() const {
  return where + (level == Level::Error ? ": error: " : ": warning: ") + message;
}

void Diagnostics::error(std::string where, std::string message) {
  items_.push_back({Diagnostic::Level::Error, std::move(where), std::move(message)});
  ++errors_;
}

void Diagnostics::warning(std::string where, std::string message) {
  items_.push_back({Diagnostic::Level::Warning, std::move(where), std::move(message)});
}

std::string Diagnostics::first_error() const {
  for (const auto& d : items_)
    if (d.level == Diagnostic::Level::Error) return d.to_string();
  return {};
}

}  // namespace doelpoort
