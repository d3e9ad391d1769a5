// Hardened parsing of XML from outside (registries' answers, the simulator's requests) with libxml2.
//
// What is refused, whatever the document says: a DOCTYPE (so no DTD, no entity declarations, no
// billion laughs), any external load (a deny-all entity loader is installed process-wide, and
// XML_PARSE_NONET), entity substitution, XInclude, documents over `max_bytes`, and nesting deeper than
// libxml2's default limit (256; XML_PARSE_HUGE is never set).
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

/// Call once at start-up, before threads: initialises libxml2 and installs the deny-all entity loader.
void init();

/// Parses `text`; on refusal returns null and sets `error` to one line.
DocPtr parse_untrusted(std::string_view text, std::size_t max_bytes, std::string& error);

/// Escapes text for an XML element or attribute value.
std::string escape(std::string_view text);

/// The concatenated text content of a node.
std::string text_of(const xmlNode* node);

}  // namespace doelpoort::xml
