// How to ask one source service and read its answer (mappings/*.yaml): the request template, the
// canonical field names with the XPath that finds each in the registry's answer, and each field's
// category of personal data (as the register and the data-subject access answer name them).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "diagnostics.h"

namespace doelpoort {

/// A request template split at its placeholders once, at load: {{bsn}} {{message_id}} {{action}} {{to}}.
class RequestTemplate {
 public:
  enum class Slot { Bsn, MessageId, Action, To };
  struct Values {
    std::string_view bsn, message_id, action, to;
  };
  /// Parses `text`; returns false and sets `error` on an unknown or unterminated placeholder.
  bool parse(const std::string& text, std::string& error);
  /// The request with every placeholder replaced by its XML-escaped value.
  std::string render(const Values& values) const;

 private:
  struct Part {
    std::string literal;  ///< text before the slot
    bool has_slot = false;
    Slot slot = Slot::Bsn;
  };
  std::vector<Part> parts_;
  std::size_t literal_size_ = 0;
};

struct MappedField {
  std::string xpath;
  std::string category;
};

struct Mapping {
  std::string file;     ///< where it was loaded from, for messages
  std::string source;   ///< source name used by the register and requests
  std::string service;  ///< the registry's service name, informational
  std::string action;   ///< SOAPAction / wsa:Action of the request
  std::map<std::string, std::string> namespaces;  ///< prefix -> URI for the XPaths
  RequestTemplate request;
  std::string not_found;  ///< XPath that matches when the registry found no one
  std::string fault;      ///< XPath that matches a registry error answer
  std::map<std::string, MappedField> fields;
};

using MappingSet = std::map<std::string, Mapping>;  ///< source name -> mapping

/// The categories of personal data a field may belong to.
bool is_known_category(const std::string& category);

/// Loads every *.yaml file in `dir` (sorted by name). Returns null on any error.
std::shared_ptr<const MappingSet> load_mappings(const std::string& dir, Diagnostics& diags);

}  // namespace doelpoort
