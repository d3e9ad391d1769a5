// Minimisation: only what was asked leaves; what else the registry sent is named as withheld.
#include "minimiser.h"

#include <gtest/gtest.h>
#include <libxml/xpathInternals.h>

#include <algorithm>

#include "xml_safe.h"

namespace doelpoort {
namespace {

constexpr const char* kDossier = R"(<?xml version="1.0"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>
 <s:PersoonResponse xmlns:s="urn:s">
  <Persoon><Voornamen>Jan Pieter</Voornamen><Achternaam>Jansen</Achternaam><Postcode>1234AB</Postcode>
   <Kind><Voornamen>Els</Voornamen></Kind><Kind><Voornamen>Tom</Voornamen></Kind></Persoon>
 </s:PersoonResponse></env:Body></env:Envelope>)";

class MinimiserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    xml::init();
    m.file = "test.yaml";
    m.source = "BRP";
    m.namespaces = {{"s", "urn:s"}, {"f", "urn:f"}};
    m.not_found = "//f:NietsGevonden";
    m.fault = "//f:Fout";
    m.fields = {{"voornamen", {"//s:PersoonResponse/Persoon/Voornamen", "identificatie"}},
                {"achternaam", {"//s:PersoonResponse/Persoon/Achternaam", "identificatie"}},
                {"postcode", {"//s:PersoonResponse/Persoon/Postcode", "woonsituatie"}},
                {"kind_voornamen", {"//s:PersoonResponse/Persoon/Kind/Voornamen", "medebewoners"}},
                {"overlijden", {"//s:PersoonResponse/Persoon/Overlijden", "identificatie"}}};
    std::string error;
    compiled = CompiledMapping::compile(m, error);
    ASSERT_TRUE(compiled) << error;
  }
  Status run(const std::string& xml, const std::vector<std::string>& wanted, Minimised& out) {
    std::string error;
    doc = xml::parse_untrusted(xml, 1 << 20, error);
    EXPECT_TRUE(doc) << error;
    return compiled->extract(doc.get(), wanted, out);
  }
  Mapping m;
  std::unique_ptr<CompiledMapping> compiled;
  xml::DocPtr doc;
};

TEST_F(MinimiserTest, ReturnsOnlyRequestedFields) {
  Minimised out;
  ASSERT_TRUE(run(kDossier, {"achternaam"}, out).is_ok());
  ASSERT_EQ(out.fields.size(), 1u);
  EXPECT_EQ(out.fields[0], (std::pair<std::string, std::string>{"achternaam", "Jansen"}));
  EXPECT_EQ(out.returned, std::vector<std::string>{"achternaam"});
}

TEST_F(MinimiserTest, NamesWithheldFieldsPresentInTheAnswerButNotTheirValues) {
  Minimised out;
  ASSERT_TRUE(run(kDossier, {"achternaam"}, out).is_ok());
  EXPECT_EQ(out.withheld, (std::vector<std::string>{"kind_voornamen", "postcode", "voornamen"}));
  for (const auto& [name, value] : out.fields) EXPECT_NE(value, "1234AB");
}

TEST_F(MinimiserTest, RepeatedElementsGiveOneRecordEach) {
  Minimised out;
  ASSERT_TRUE(run(kDossier, {"kind_voornamen"}, out).is_ok());
  ASSERT_EQ(out.fields.size(), 2u);
  EXPECT_EQ(out.fields[0].second, "Els");
  EXPECT_EQ(out.fields[1].second, "Tom");
}

TEST_F(MinimiserTest, RecognisesNotFound) {
  Minimised out;
  ASSERT_TRUE(run(R"(<e xmlns:f="urn:f"><f:NietsGevonden/></e>)", {"achternaam"}, out).is_ok());
  EXPECT_EQ(out.kind, Minimised::Kind::NotFound);
  EXPECT_TRUE(out.fields.empty());
}

TEST_F(MinimiserTest, RegistryErrorAnswerBecomesUpstreamError) {
  Minimised out;
  Status s = run(R"(<e xmlns:f="urn:f"><f:Fout><Code>SUWI-1</Code><Tekst>Storing</Tekst></f:Fout></e>)", {"achternaam"}, out);
  EXPECT_EQ(s.code(), Code::UPSTREAM_ERROR);
  EXPECT_NE(s.message().find("Storing"), std::string::npos);
}

TEST_F(MinimiserTest, RefusesToCompileAnUndeclaredPrefix) {
  Mapping bad = m;
  bad.fields = {{"x", {"//zz:Persoon", "identificatie"}}};
  std::string error;
  EXPECT_FALSE(CompiledMapping::compile(bad, error));
  EXPECT_NE(error.find("undeclared namespace prefix"), std::string::npos) << error;
}

// Child paths are followed by walking the tree instead of by libxml2's XPath engine: on an answer full of
// namespace traps, every field gives what libxml2's XPath gives for the same path.
TEST(MinimiserChildPaths, SelectExactlyWhatXPathSelects) {
  xml::init();
  const std::string answer = R"(<?xml version="1.0"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
 <s:R xmlns:s="urn:s" xmlns:other="urn:other">
  <C><Naam>Jan</Naam><Naam>Piet</Naam><other:Naam>not this</other:Naam>
   <Adres><Postcd>1234AB</Postcd><Naam>deeper, between Piet and Klaas</Naam></Adres><Adres><Postcd>5678CD</Postcd><Postcd>9999ZZ</Postcd></Adres>
   <Leeg/><s:Gekwalificeerd>q</s:Gekwalificeerd>
   <Standaard xmlns="urn:s"><Kind>in urn:s, not in no namespace</Kind></Standaard>
   <x:Zelfde xmlns:x="urn:s">same namespace, another prefix</x:Zelfde>
   <!-- <Naam>a comment</Naam> --><Tekst>a<b>b</b>c</Tekst></C>
  <C><Naam>Klaas</Naam></C>
 </s:R></soap:Body></soap:Envelope>)";
  Mapping m;
  m.file = "test.yaml";
  m.namespaces = {{"soap", "http://schemas.xmlsoap.org/soap/envelope/"}, {"s", "urn:s"}, {"o", "urn:other"}};
  const std::string r = "/soap:Envelope/soap:Body/s:R";
  m.fields = {{"naam", {r + "/C/Naam", "a"}},
              {"other_naam", {r + "/C/o:Naam", "a"}},
              {"postcode", {r + "/C/Adres/Postcd", "a"}},
              {"leeg", {r + "/C/Leeg", "a"}},
              {"gekwalificeerd", {r + "/C/s:Gekwalificeerd", "a"}},
              {"ongekwalificeerd", {r + "/C/Gekwalificeerd", "a"}},
              {"standaard_kind", {r + "/C/Standaard/Kind", "a"}},
              {"standaard_kind_s", {r + "/C/s:Standaard/s:Kind", "a"}},
              {"zelfde", {r + "/C/s:Zelfde", "a"}},
              {"tekst", {r + "/C/Tekst", "a"}},
              {"afwezig", {r + "/C/Afwezig", "a"}},
              {"verkeerde_wortel", {"/soap:Body/s:R/C/Naam", "a"}},
              {"zonder_leeg", {r + "/C[not(Leeg)]/Naam", "a"}},
              {"zonder_o_naam", {r + "/C[not(o:Naam)]/Naam", "a"}},
              {"zonder_s_naam", {r + "/C[not(s:Naam)]/Naam", "a"}},
              {"zonder_standaard", {r + "/C[not(Standaard)]/Adres[not(Naam)]/Postcd", "a"}},
              {"overal_naam", {"//Naam", "a"}},
              {"overal_o_naam", {"//o:Naam", "a"}},
              {"overal_kind", {"//Kind", "a"}},
              {"overal_s_kind", {"//s:Kind", "a"}},
              {"overal_envelope", {"//soap:Envelope", "a"}},
              {"overal_afwezig", {"//Afwezig", "a"}},
              {"vereniging", {r + "/C/Adres/Postcd | " + r + "/C/Naam", "a"}},  // document order, not the branches'
              {"vereniging_dubbel", {r + "/C/Naam|//Naam", "a"}},              // each node once
              {"vereniging_leeg", {r + "/C/Afwezig | //Afwezig", "a"}},
              // left to libxml2:
              {"met_predicaat", {r + "/C[Naam='Klaas']/Naam", "a"}},
              {"twee_predicaten", {r + "/C[not(Leeg)][1]/Naam", "a"}},
              {"predicaat_met_spaties", {r + "/C[not( Leeg )]/Naam", "a"}},
              {"overal_dan_kind", {"//C/Naam", "a"}},
              {"overal_in_het_midden", {"/soap:Envelope//Naam", "a"}},
              {"vereniging_deels", {r + "/C/Naam | //C/Naam", "a"}}};
  const std::vector<std::string> left_to_xpath = {"met_predicaat", "twee_predicaten", "predicaat_met_spaties",
                                                  "overal_dan_kind", "overal_in_het_midden", "vereniging_deels"};
  std::string error;
  auto compiled = CompiledMapping::compile(m, error);
  ASSERT_TRUE(compiled) << error;
  xml::DocPtr doc = xml::parse_untrusted(answer, 1 << 20, error);
  ASSERT_TRUE(doc) << error;
  std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> ctx(xmlXPathNewContext(doc.get()), xmlXPathFreeContext);
  for (const auto& [prefix, uri] : m.namespaces)
    xmlXPathRegisterNs(ctx.get(), reinterpret_cast<const xmlChar*>(prefix.c_str()), reinterpret_cast<const xmlChar*>(uri.c_str()));
  std::vector<std::string> present;
  for (const auto& [name, field] : m.fields) {
    SCOPED_TRACE(name);
    // Every path not listed as left to libxml2 is walked, so the comparison below tests the walk.
    EXPECT_EQ(compiled->walked(name), std::count(left_to_xpath.begin(), left_to_xpath.end(), name) == 0);
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> r(
        xmlXPathEval(reinterpret_cast<const xmlChar*>(field.xpath.c_str()), ctx.get()), xmlXPathFreeObject);
    ASSERT_TRUE(r && r->type == XPATH_NODESET);
    std::vector<std::string> expected;
    for (int i = 0; r->nodesetval != nullptr && i < r->nodesetval->nodeNr; ++i)
      expected.push_back(xml::text_of(r->nodesetval->nodeTab[i]));
    if (!expected.empty()) present.push_back(name);
    Minimised out;
    ASSERT_TRUE(compiled->extract(doc.get(), {name}, out).is_ok());
    std::vector<std::string> got;
    for (const auto& [n, v] : out.fields) got.push_back(v);
    EXPECT_EQ(got, expected);
  }
  // The fields present in the answer, as withheld when none is asked for.
  Minimised none;
  ASSERT_TRUE(compiled->extract(doc.get(), {}, none).is_ok());
  std::sort(present.begin(), present.end());
  EXPECT_EQ(none.withheld, present);
  EXPECT_GE(present.size(), 8u);  // the traps above do not all select nothing
  EXPECT_EQ(std::count(present.begin(), present.end(), "other_naam"), 1);
  EXPECT_EQ(std::count(present.begin(), present.end(), "ongekwalificeerd"), 0);
  EXPECT_EQ(std::count(present.begin(), present.end(), "standaard_kind"), 0);
  EXPECT_EQ(std::count(present.begin(), present.end(), "zonder_leeg"), 1);
  EXPECT_EQ(std::count(present.begin(), present.end(), "overal_kind"), 0);
}

// The shipped mappings take the fast path for every field: a path rewritten into a shape the walker does
// not know would still be right, only slower, so this is where it shows.
TEST(MinimiserShippedMappings, EveryFieldIsWalked) {
  Diagnostics d;
  auto set = load_mappings(std::string(DOELPOORT_SOURCE_DIR) + "/mappings", d);
  ASSERT_TRUE(set) << d.first_error();
  ASSERT_FALSE(set->empty());
  for (const auto& [service, mapping] : *set) {
    std::string error;
    auto compiled = CompiledMapping::compile(mapping, error);
    ASSERT_TRUE(compiled) << error;
    for (const auto& [name, field] : mapping.fields) EXPECT_TRUE(compiled->walked(name)) << service << " " << name << ": " << field.xpath;
  }
}

// The registry's error and not-found answers are recognised wherever they sit, in their namespace only.
TEST_F(MinimiserTest, RecognisesErrorAndNotFoundAnswersAtAnyDepthInTheirNamespaceOnly) {
  Minimised out;
  EXPECT_EQ(run(R"(<e xmlns:f="urn:f"><a><b><f:Fout><Tekst>diep</Tekst></f:Fout></b></a></e>)", {"achternaam"}, out).code(),
            Code::UPSTREAM_ERROR);
  Minimised found;
  ASSERT_TRUE(run(R"(<e><a><Fout>not the registry's</Fout><NietsGevonden/></a><achternaam>Jansen</achternaam></e>)",
                  {"achternaam"}, found).is_ok());
  EXPECT_EQ(found.kind, Minimised::Kind::Found);
  Minimised none;
  ASSERT_TRUE(run(R"(<e xmlns:f="urn:f"><a><b><f:NietsGevonden/></b></a></e>)", {"achternaam"}, none).is_ok());
  EXPECT_EQ(none.kind, Minimised::Kind::NotFound);
}

TEST(XmlSafe, RefusesADoctype) {
  xml::init();
  std::string error;
  auto doc = xml::parse_untrusted(R"(<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>)", 1 << 20, error);
  EXPECT_FALSE(doc);
  EXPECT_EQ(error, "DOCTYPE is not allowed");
}

TEST(XmlSafe, RefusesBillionLaughs) {
  xml::init();
  std::string bomb = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">)";
  for (int i = 1; i < 10; ++i) {
    std::string refs;
    for (int k = 0; k < 10; ++k) refs += "&lol" + std::to_string(i - 1) + ";";
    bomb += "<!ENTITY lol" + std::to_string(i) + " \"" + refs + "\">";
  }
  bomb += "]><lolz>&lol9;</lolz>";
  std::string error;
  EXPECT_FALSE(xml::parse_untrusted(bomb, 1 << 20, error));
  EXPECT_EQ(error, "DOCTYPE is not allowed");
}

TEST(XmlSafe, RefusesOversizedDocumentBeforeParsing) {
  std::string error;
  EXPECT_FALSE(xml::parse_untrusted("<a>" + std::string(2000, 'x') + "</a>", 1000, error));
  EXPECT_NE(error.find("exceeds the limit"), std::string::npos);
}

TEST(XmlSafe, RefusesNestingDeeperThanTheLimit) {
  xml::init();
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  for (int i = 0; i < 10000; ++i) deep += "</a>";
  std::string error;
  EXPECT_FALSE(xml::parse_untrusted(deep, 1 << 20, error));
}

TEST(XmlSafe, RefusesMalformedXmlWithAMessage) {
  std::string error;
  EXPECT_FALSE(xml::parse_untrusted("<a><b></a>", 1 << 20, error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace doelpoort
