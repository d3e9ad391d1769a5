// Hardened parsing of XML from outside (registries' answers, the simulator's requests) with libxml2.
//
// What is refused, whatever the document says: a DOCTYPE (so no DTD, no entity declarations, no
// billion laughs), any external load (a deny-all entity loader is installed process-wide, and
// XML_PARSE_NONET), entity substitution, XInclude, documents over `max_bytes`, nesting deeper than
// libxml2's default limit (256; XML_PARSE_HUGE is never set), text or attribute values over its 10 MB
// limit, any encoding but UTF-8 (ASCII), more than kMaxAttributes attributes on one element and more than
// kMaxNodes elements, attributes, comments and processing instructions in all.
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace doelpoort::xml {

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

/// Attributes (namespace declarations included) on one element: libxml2 checks them for duplicates pairwise,
/// so one start tag with 80,000 of them costs over a minute of CPU.
inline constexpr std::size_t kMaxAttributes = 256;
/// Elements, attributes, comments and processing instructions in one document: each costs libxml2 a node
/// of some 120 bytes or more, so 4 MiB of "<a/>" would make a tree of over 130 MB.
inline constexpr std::size_t kMaxNodes = 50000;

/// Call once at start-up, before threads: initialises libxml2 and installs the deny-all entity loader.
void init();

/// Parses `text`; on refusal returns null and sets `error` to one line.
DocPtr parse_untrusted(std::string_view text, std::size_t max_bytes, std::string& error);

/// Finds a markup declaration ("<!" followed by neither "-" nor "[": a DOCTYPE, an ENTITY) in a document
/// that arrives in chunks, one split across chunks included; comments ("<!--") and CDATA ("<![CDATA[")
/// pass. For parsers that would skip a DOCTYPE rather than refuse it (gSOAP).
class DeclarationGuard {
 public:
  /// Before the first chunk of a document.
  void reset() { tail_[0] = tail_[1] = 0; }
  /// True when the document, read up to the end of `chunk`, holds a declaration.
  bool declares(std::string_view chunk);

 private:
  char tail_[2] = {0, 0};  // the two bytes before this chunk
};

/// Escapes text for an XML element or attribute value.
std::string escape(std::string_view text);

/// The concatenated text content of a node.
std::string text_of(const xmlNode* node);

}  // namespace doelpoort::xml
