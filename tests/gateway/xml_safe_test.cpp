// Hardened parsing: the limits on what a registry's answer may make libxml2 do (attributes per element,
// nodes in all, UTF-8 only), each refused before libxml2 spends time or memory on it.
#include "xml_safe.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace doelpoort {
namespace {

using Clock = std::chrono::steady_clock;

std::string element_with_attributes(std::size_t n) {
  std::string s = "<a";
  for (std::size_t i = 0; i < n; ++i) s += " a" + std::to_string(i) + "=\"\"";
  return s + "/>";
}

std::string siblings(std::size_t n, const std::string& one = "<b/>") {
  std::string s = "<a>";
  for (std::size_t i = 0; i < n; ++i) s += one;
  return s + "</a>";
}

TEST(XmlSafeLimits, RefusesAnElementWithTooManyAttributesWithoutParsingIt) {
  xml::init();
  std::string error;
  const auto t0 = Clock::now();
  EXPECT_FALSE(xml::parse_untrusted(element_with_attributes(100000), 4 << 20, error));  // libxml2 alone: minutes
  // Not a performance figure: a bound far below libxml2's minutes, loose enough for sanitizer builds.
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));
  EXPECT_NE(error.find("attributes"), std::string::npos) << error;
  EXPECT_FALSE(xml::parse_untrusted(element_with_attributes(xml::kMaxAttributes + 1), 4 << 20, error));
  EXPECT_TRUE(xml::parse_untrusted(element_with_attributes(xml::kMaxAttributes), 4 << 20, error)) << error;
}

TEST(XmlSafeLimits, CountsNamespaceDeclarationsAsAttributes) {
  std::string s = "<a";
  for (std::size_t i = 0; i <= xml::kMaxAttributes; ++i) s += " xmlns:p" + std::to_string(i) + "='urn:x'";
  std::string error;
  EXPECT_FALSE(xml::parse_untrusted(s + "/>", 4 << 20, error));
}

TEST(XmlSafeLimits, QuotedEqualsSignsAndGreaterThanDoNotCountOrEndATag) {
  std::string error;
  auto doc = xml::parse_untrusted(R"(<a b="x=y>z" c='=>=' d="'">t=u</a>)", 1 << 20, error);
  ASSERT_TRUE(doc) << error;
  std::string many_equals_in_text = "<a>" + std::string(100000, '=') + "</a>";
  EXPECT_TRUE(xml::parse_untrusted(many_equals_in_text, 1 << 20, error)) << error;
}

TEST(XmlSafeLimits, RefusesMoreNodesThanTheLimit) {
  xml::init();
  std::string error;
  EXPECT_TRUE(xml::parse_untrusted(siblings(10000), 4 << 20, error)) << error;
  EXPECT_FALSE(xml::parse_untrusted(siblings(100000), 4 << 20, error));
  EXPECT_FALSE(xml::parse_untrusted(siblings(1000000), 4 << 20, error));  // 4 MB: a 130 MB tree
  EXPECT_NE(error.find("more than"), std::string::npos) << error;
  EXPECT_FALSE(xml::parse_untrusted(siblings(xml::kMaxNodes, "<!---->"), 4 << 20, error)) << "comments are nodes";
  EXPECT_FALSE(xml::parse_untrusted(siblings(xml::kMaxNodes / 2, "<b c=''/>"), 4 << 20, error)) << "attributes too";
}

TEST(XmlSafeLimits, ReadsEveryDocumentAsUtf8) {
  std::string error;
  EXPECT_TRUE(xml::parse_untrusted("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>P\xc3\xa9tra</a>", 1 << 20, error));
  EXPECT_FALSE(xml::parse_untrusted("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>P\xe9tra</a>", 1 << 20, error));
  EXPECT_FALSE(xml::parse_untrusted(std::string("\xff\xfe<\0a\0/\0>\0", 10), 1 << 20, error)) << "UTF-16";
  EXPECT_FALSE(xml::parse_untrusted("<a>Pe\xff\xfetra</a>", 1 << 20, error));
}

// Indentation between elements is not kept (fewer nodes to make, walk and free per dossier); text that
// is a value is kept whole, blanks included.
TEST(XmlSafeParse, DropsIndentationBetweenElementsButKeepsEveryValue) {
  std::string error;
  const xml::DocPtr doc = xml::parse_untrusted(
      "<a>\n  <b>  two spaces  </b>\n  <c>   </c>\n  <d>x <e>y</e> z</d>\n  <f/>\n</a>", 1 << 20, error);
  ASSERT_TRUE(doc) << error;
  const xmlNode* a = xmlDocGetRootElement(doc.get());
  std::string names;
  for (const xmlNode* n = a->children; n != nullptr; n = n->next)
    names += n->type == XML_ELEMENT_NODE ? reinterpret_cast<const char*>(n->name) : "#";
  EXPECT_EQ(names, "bcdf") << "no text nodes of indentation between a's children";
  const xmlNode* b = a->children;
  EXPECT_EQ(xml::text_of(b), "  two spaces  ");
  EXPECT_EQ(xml::text_of(b->next), "   ") << "a value of blanks alone is a value";
  EXPECT_EQ(xml::text_of(b->next->next), "x y z") << "mixed content keeps its blanks";
}

// Whether `doc`, read in chunks cut at `cuts`, declares anything (as the SOAP listener reads a request).
bool declares_in_chunks(std::string_view doc, std::vector<std::size_t> cuts) {
  xml::DeclarationGuard guard;
  cuts.push_back(doc.size());
  bool found = false;
  std::size_t from = 0;
  for (std::size_t to : cuts) {
    found = guard.declares(doc.substr(from, to - from)) || found;
    from = to;
  }
  return found;
}

// Cuts after every byte: a read per byte.
std::vector<std::size_t> every_byte(std::string_view doc) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < doc.size(); ++i) cuts.push_back(i);
  return cuts;
}

TEST(DeclarationGuard, FindsADeclarationWhereverTheReadsCutIt) {
  const std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"y\">]><a>&e;</a>";
  EXPECT_TRUE(declares_in_chunks(doc, {}));
  for (std::size_t cut = 0; cut <= doc.size(); ++cut) EXPECT_TRUE(declares_in_chunks(doc, {cut})) << "cut at " << cut;
  // "<", "!" and "D" each in a read of its own
  const std::size_t lt = doc.find("<!D");
  EXPECT_TRUE(declares_in_chunks(doc, {lt, lt + 1, lt + 2, lt + 3}));
  EXPECT_TRUE(declares_in_chunks(doc, every_byte(doc)));
  EXPECT_TRUE(declares_in_chunks("<!ENTITY", {}));
  EXPECT_TRUE(declares_in_chunks("<a><!x", {}));  // any declaration, at the very end too
}

TEST(DeclarationGuard, LetsCommentsAndCdataPassWhereverTheReadsCutThem) {
  const std::string doc = "<a><!-- a comment --><b><![CDATA[<x>]]></b>a < b</a>";
  for (std::size_t cut = 0; cut <= doc.size(); ++cut) EXPECT_FALSE(declares_in_chunks(doc, {cut})) << "cut at " << cut;
  EXPECT_FALSE(declares_in_chunks(doc, every_byte(doc)));
  EXPECT_FALSE(declares_in_chunks("<!", {}));  // not yet a declaration: the next byte says
  xml::DeclarationGuard guard;  // a new document forgets the last one's tail
  EXPECT_FALSE(guard.declares("<a><"));
  guard.reset();
  EXPECT_FALSE(guard.declares("!x"));
}

}  // namespace
}  // namespace doelpoort
