// How to ask one source service and read its answer (mappings/*.yaml): the request template, the
// canonical field names with the XPath that finds each in the registry's answer, and each field's
// category of personal data (one of the register's categories: the policy cross-checks them).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "diagnostics.h"
#include "search_key.h"

namespace doelpoort {

/// A request template split at its placeholders once, at load. Placeholders: {{message_id}} {{action}}
/// {{to}} and the search values {{bsn}} {{geslachtsnaam}} {{geboortedatum}} {{postcode}} {{huisnummer}}
/// {{kenteken}}. Values are XML-escaped when rendered.
class RequestTemplate {
 public:
  enum class Slot : std::uint8_t { MessageId, Action, To, Bsn, Geslachtsnaam, Geboortedatum, Postcode, Huisnummer, Kenteken, Count };
  using Values = std::array<std::string_view, static_cast<std::size_t>(Slot::Count)>;
  /// Parses `text`; returns false and sets `error` on an unknown or unterminated placeholder.
  bool parse(const std::string& text, std::string& error);
  /// The request with every placeholder replaced by its XML-escaped value.
  std::string render(const Values& values) const;
  /// Whether the template uses `slot` (a search request must fill every slot it uses).
  bool uses(Slot slot) const;

 private:
  struct Part {
    std::string literal;  ///< text before the slot
    Slot slot = Slot::Count;  ///< Count: no slot (the last part)
  };
  std::vector<Part> parts_;
  std::size_t literal_size_ = 0;
};

/// How to ask the source by one search key.
struct SourceRequest {
  std::string action;  ///< SOAPAction / wsa:Action
  RequestTemplate body;
};

struct MappedField {
  std::string xpath;
  std::string category;
  std::string where;  ///< file:line:col, for messages
};

struct Mapping {
  std::string file;     ///< where it was loaded from, for messages
  std::string source;   ///< source name used by the register and requests
  std::string service;  ///< the registry's service name, informational
  std::map<std::string, std::string> namespaces;  ///< prefix -> URI for the XPaths
  std::map<SearchKey, SourceRequest> requests;    ///< one per search key the source supports
  std::string not_found;    ///< XPath that matches when the registry found no one
  std::string fault;        ///< XPath that matches a registry error answer
  std::string subject_bsn;  ///< XPath of the found person's BSN (audits a search by another key)
  std::map<std::string, MappedField> fields;

  const SourceRequest* request_for(SearchKey key) const {
    auto it = requests.find(key);
    return it == requests.end() ? nullptr : &it->second;
  }
};

using MappingSet = std::map<std::string, Mapping>;  ///< source name -> mapping

/// Loads every *.yaml file in `dir` (sorted by name). Returns null on any error.
std::shared_ptr<const MappingSet> load_mappings(const std::string& dir, Diagnostics& diags);

}  // namespace doelpoort
