// Minimisation of a registry's answer: of the whole dossier a source returns, only the fields the
// caller asked for (and the activity allows: the decision has checked that) leave the gateway. The
// names of the other fields present are reported as withheld, for the audit record; never their values.
//
// XPaths from mappings/ are compiled once, when the policy snapshot is built, and evaluated on the
// registry's document as parsed by xml::parse_untrusted. The shapes mappings use (child steps
// `/soap:Envelope/soap:Body/smls:X/ClientSuwi/Voornamen`, a step that must lack a child
// `Huwelijk[not(DatOntbindingHuwelijk)]`, `//fwi:Fout` alone, and unions of these) are also kept as
// steps, merged on their common prefixes into one trie, and followed by one walk of the tree that finds
// every such field's nodes at once: libxml2's XPath engine allocates an evaluation context, a value stack
// and a node set for every evaluation, and every field of a dossier (~30) is looked for on every inquiry
// to name the withheld ones (bench/minimiser_bench: a BRP dossier in ~81 instead of ~105 µs, parsing
// included, on the slower VM of 2026-11-29; one walk instead of one per field: 18.1 instead of 19.6 µs on
// the faster one of 2026-11-30). Every other path is evaluated by libxml2, with an XPath context made only
// when one is needed.
#pragma once

#include <libxml/xpath.h>

#include <cstdint>
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

  /// Whether the minimiser walks field `name`'s path over the tree itself (child paths, "[not(child)]"
  /// tests on steps, "//name" alone, and unions of these); otherwise libxml2's XPath engine evaluates it.
  bool walked(const std::string& name) const;

 private:
  struct Name {  // an element's: namespace (empty: none) and local name
    std::string ns;
    std::string local;
    bool operator==(const Name&) const = default;
  };
  struct Step {  // one child step, "name" or "name[not(child)]"; or "//name" (`anywhere`, a path's only step)
    Name name;
    bool anywhere = false;
    bool without = false;  // only elements with no child element `child`
    Name child;
    bool operator==(const Step&) const = default;
  };
  struct Field {
    std::string name;
    XPathPtr expr;
    std::vector<std::vector<Step>> paths;  // one walked path per branch of "a | b"; none when a branch is not one
    std::uint32_t slot = 0;                // its nodes' place in an Evaluation
  };
  // Every walked child path of the mapping, merged on common prefixes, so that one walk of an answer finds
  // every field's nodes: the steps shared by ~30 paths are matched once, not ~30 times.
  struct TrieNode {
    Step step;                         // none at the root, above the document element
    std::vector<std::uint32_t> next;   // the steps that follow (indexes into trie_)
    std::vector<std::uint32_t> ends;   // slots of the fields a path of which ends here
  };
  class Evaluation;  // the document read, and an XPath context over it once a path needs one
  explicit CompiledMapping(const Mapping& m) : mapping_(&m) {}
  const Field* find(const std::string& name) const;
  Status extract(Evaluation& e, const std::vector<std::string>& wanted, Minimised& out) const;
  static std::vector<Step> walk_path(std::string_view xpath, const Mapping& m);
  static std::vector<std::vector<Step>> walk_paths(std::string_view xpath, const Mapping& m);
  void index(Field& f);
  static bool values(const Field& f, Evaluation& e, std::vector<std::string>& out);
  static bool present(const Field& f, Evaluation& e);

  const Mapping* mapping_;
  std::vector<Field> fields_;  // sorted by name
  Field not_found_;
  Field fault_;
  Field subject_bsn_;
  std::vector<TrieNode> trie_;                            // [0]: the root
  std::vector<std::pair<Step, std::uint32_t>> anywhere_;  // "//name" branches, with their field's slot
  std::vector<std::uint32_t> unions_;                     // slots of fields with several branches
  std::uint32_t slots_ = 0;
};

}  // namespace doelpoort
