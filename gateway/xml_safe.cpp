#include "xml_safe.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cstring>

namespace doelpoort::xml {
namespace {

xmlParserInputPtr deny_external(const char* /*url*/, const char* /*id*/, xmlParserCtxtPtr /*ctxt*/) {
  return nullptr;  // nothing is ever fetched: no files, no network
}

void quiet(void* /*ctx*/, const char* /*msg*/, ...) {}

// SAX hook for <!DOCTYPE ...>: stop before any declaration inside it is even read.
constexpr char kDoctypeSeen = 1;
void reject_doctype(void* ctx, const xmlChar* /*name*/, const xmlChar* /*external_id*/,
                    const xmlChar* /*system_id*/) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  ctxt->_private = const_cast<char*>(&kDoctypeSeen);
  xmlStopParser(ctxt);
}

// Upper bounds on what libxml2 would build, from one linear pass over the bytes before it sees them (the
// document is read as UTF-8, where a byte below 0x80 is always that ASCII character). Every '<' not
// followed by '/' opens a node (element, comment, PI, CDATA section, DOCTYPE). In a start tag each '='
// outside quotes is an attribute, up to the tag's '>' outside quotes and never past the next '<', which no
// attribute value may hold: where a tag is malformed libxml2 stops reading its attributes, so it never
// sees more than are counted here.
struct MarkupCount {
  std::size_t nodes = 0;
  std::size_t most_attributes = 0;  // on one element
};

MarkupCount count_markup(std::string_view text) {
  MarkupCount count;
  std::size_t i = text.find('<');
  while (i != std::string_view::npos && i + 1 < text.size()) {
    const char next = text[i + 1];
    if (next != '/') ++count.nodes;
    std::size_t j = i + 1;
    if (next != '/' && next != '!' && next != '?') {  // a start tag
      std::size_t attributes = 0;
      char quote = 0;
      for (; j < text.size() && text[j] != '<'; ++j) {
        const char c = text[j];
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '=') {
          ++attributes;
        } else if (c == '>') {
          break;
        }
      }
      count.nodes += attributes;
      count.most_attributes = std::max(count.most_attributes, attributes);
    }
    i = text.find('<', j);
  }
  return count;
}

}  // namespace

void init() {
  xmlInitParser();
  xmlSetExternalEntityLoader(deny_external);
  xmlSetGenericErrorFunc(nullptr, quiet);  // errors are reported through the parser context
}

DocPtr parse_untrusted(std::string_view text, std::size_t max_bytes, std::string& error) {
  if (text.size() > max_bytes) {
    error = "document of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
            std::to_string(max_bytes);
    return nullptr;
  }
  const MarkupCount markup = count_markup(text);
  if (markup.most_attributes > kMaxAttributes) {
    error = "an element with more than " + std::to_string(kMaxAttributes) + " attributes";
    return nullptr;
  }
  if (markup.nodes > kMaxNodes) {
    error = "more than " + std::to_string(kMaxNodes) + " elements, attributes and comments";
    return nullptr;
  }
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) {
    error = "out of memory";
    return nullptr;
  }
  ctxt->sax->internalSubset = reject_doctype;
  // Not set on purpose: XML_PARSE_NOENT (substitute entities), XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR,
  // XML_PARSE_DTDVALID, XML_PARSE_XINCLUDE, XML_PARSE_HUGE. XML_PARSE_NOBLANKS: no text nodes for the
  // indentation between elements (half the nodes of an indented dossier: -5 % of an inquiry's instructions);
  // libxml2 keeps blanks that are an element's whole content or sit next to other text.
  constexpr int kOptions =
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS;
  // Read as UTF-8 whatever the document declares (count_markup relies on it; a registry speaks UTF-8).
  DocPtr doc(xmlCtxtReadMemory(ctxt, text.data(), static_cast<int>(text.size()), nullptr, "UTF-8", kOptions));
  if (ctxt->_private == &kDoctypeSeen) {
    error = "DOCTYPE is not allowed";
    xmlFreeParserCtxt(ctxt);
    return nullptr;
  }
  if (!doc) {
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    error = e != nullptr && e->message != nullptr ? e->message : "not well-formed XML";
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    xmlFreeParserCtxt(ctxt);
    return nullptr;
  }
  xmlFreeParserCtxt(ctxt);
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    error = "DOCTYPE is not allowed";
    return nullptr;
  }
  return doc;
}

bool DeclarationGuard::declares(std::string_view chunk) {
  const auto opens = [](char a, char b, char c) { return a == '<' && b == '!' && c != '-' && c != '['; };
  const char* d = chunk.data();
  const std::size_t n = chunk.size();
  bool found = (n >= 1 && opens(tail_[0], tail_[1], d[0])) || (n >= 2 && opens(tail_[1], d[0], d[1]));
  for (std::size_t i = 0; !found && i + 2 < n; ++i) {  // from one '<' to the next: memchr, not byte by byte
    const void* lt = std::memchr(d + i, '<', n - 2 - i);
    if (lt == nullptr) break;
    i = static_cast<std::size_t>(static_cast<const char*>(lt) - d);
    found = opens(d[i], d[i + 1], d[i + 2]);
  }
  if (n >= 2) {
    tail_[0] = d[n - 2];
    tail_[1] = d[n - 1];
  } else if (n == 1) {
    tail_[0] = tail_[1];
    tail_[1] = d[0];
  }
  return found;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string text_of(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string s = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return s;
}

}  // namespace doelpoort::xml
