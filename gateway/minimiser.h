// Minimisation of a registry's answer: of the whole dossier a source returns, only the fields the
// caller asked for (and the activity allows: the decision has checked that) leave the gateway. The
// names of the other fields present are reported as withheld, for the audit record; never their values.
//
// XPaths from mappings/ are compiled once, when the policy snapshot is built, and evaluated on the
// registry's document as parsed by xml::parse_untrusted.
#pragma once

#include <libxml/xpath.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codes.h"
#include "mapping.h"

namespace doelpoort {

struct XPathDeleter {
  void operator()(xmlXPathCompExpr* e) const { xmlXPathFreeCompExpr(e); }
};
using XPathPtr = std::unique_ptr<xmlXPathCompExpr, XPathDeleter>;

struct Minimised {
  enum class Kind { Found, NotFound } kind = Kind::Found;
  std::vector<std::pair<std::string, std::string>> fields;  ///< (name, value), in the order asked
  std::vector<std::string> returned;  ///< names of requested fields that had a value
  std::vector<std::string> withheld;  ///< names of other mapped fields present in the answer
  std::string subject_bsn;            ///< the found person's BSN (mapping's subject_bsn), for the audit only
};

class CompiledMapping {
 public:
  /// Compiles every XPath of `mapping` and checks it against its namespaces; null and `error` on failure.
  static std::unique_ptr<CompiledMapping> compile(const Mapping& mapping, std::string& error);

  const Mapping& mapping() const { return *mapping_; }

  /// Reads `wanted` from `doc`. UPSTREAM_ERROR when the answer is the registry's error (FWI) answer,
  /// with its text in the message.
  Status extract(xmlDoc* doc, const std::vector<std::string>& wanted, Minimised& out) const;

 private:
  struct Field {
    std::string name;
    XPathPtr expr;
  };
  explicit CompiledMapping(const Mapping& m) : mapping_(&m) {}
  const Field* find(const std::string& name) const;

  const Mapping* mapping_;
  std::vector<Field> fields_;  // sorted by name
  XPathPtr not_found_;
  XPathPtr fault_;
  XPathPtr subject_bsn_;
};

}  // namespace doelpoort
