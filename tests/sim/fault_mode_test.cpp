// The simulator's fault modes: parsing --fault MODE[:SERVICE], which POSTs a fault applies to, and the
// replies that replace a correct one. (hang, slow, reset and close act on the socket: the integration
// tests in tests/integration/registry_failure_test.cpp drive them through the real binary.)
#include "fault_mode.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

#include "xml_safe.h"

namespace doelpoort::sim {
namespace {

constexpr std::string_view kBrpPath = "/suwibroker/soap/BRPDossierPersoonGSD-v0200";
constexpr std::string_view kUwvPath = "/suwibroker/soap/UWVDossierInkomstenGSD-v0200";

HttpReply correct_reply() {
  HttpReply r;
  r.body = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body/></soap:Envelope>";
  return r;
}

TEST(FaultModeTest, ParsesEveryModeByName) {
  for (const auto& [name, mode] : {std::pair{"none", FaultMode::kNone}, std::pair{"hang", FaultMode::kHang},
                                   std::pair{"slow", FaultMode::kSlow}, std::pair{"reset", FaultMode::kReset},
                                   std::pair{"garbage", FaultMode::kGarbage}, std::pair{"http500", FaultMode::kHttp500},
                                   std::pair{"fault200", FaultMode::kFault200}, std::pair{"close", FaultMode::kClose}}) {
    const auto spec = parse_fault_spec(name);
    ASSERT_TRUE(spec) << name;
    EXPECT_EQ(spec->mode, mode) << name;
    EXPECT_TRUE(spec->service.empty());
    EXPECT_NE(fault_mode_names().find(name), std::string::npos) << name;
  }
}

TEST(FaultModeTest, RefusesUnknownModesAndServices) {
  EXPECT_FALSE(parse_fault_spec("explode"));
  EXPECT_FALSE(parse_fault_spec(""));
  EXPECT_FALSE(parse_fault_spec("hang:RDWKentekenGSD"));
  EXPECT_FALSE(parse_fault_spec("hang:"));
}

TEST(FaultModeTest, ServiceIsNamedByItsPathNameOrItsStatsKey) {
  EXPECT_EQ(parse_fault_spec("hang:BRPDossierPersoonGSD-v0200")->service, "BRPDossierPersoonGSD-v0200");
  EXPECT_EQ(parse_fault_spec("slow:UWVDossierInkomstenGSD")->service, "UWVDossierInkomstenGSD-v0200");
}

TEST(FaultModeTest, AppliesToPostsOfItsServiceOnly) {
  const FaultSpec brp = *parse_fault_spec("reset:BRPDossierPersoonGSD");
  EXPECT_TRUE(brp.applies_to_post(kBrpPath));
  EXPECT_TRUE(brp.applies_to_post(std::string(kBrpPath) + "?x=1"));
  EXPECT_FALSE(brp.applies_to_post(kUwvPath));
  const FaultSpec all = *parse_fault_spec("reset");
  EXPECT_TRUE(all.applies_to_post(kBrpPath));
  EXPECT_TRUE(all.applies_to_post(kUwvPath));
  EXPECT_FALSE(parse_fault_spec("none")->applies_to_post(kBrpPath));
}

TEST(FaultModeTest, GarbageIsAn200WhoseBodyIsNotXml) {
  const HttpReply r = damaged_reply(FaultMode::kGarbage, correct_reply(), kBrpPath);
  EXPECT_EQ(r.status, 200);
  xml::init();
  std::string error;
  EXPECT_FALSE(xml::parse_untrusted(r.body, 1 << 20, error));
}

TEST(FaultModeTest, Http500IsAnHtmlPage) {
  const HttpReply r = damaged_reply(FaultMode::kHttp500, correct_reply(), kBrpPath);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(r.body.find("<html>"), std::string::npos);
}

TEST(FaultModeTest, Fault200CarriesASoapFaultWithAnFwiFout) {
  const HttpReply r = damaged_reply(FaultMode::kFault200, correct_reply(), kBrpPath);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Fault>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Fout"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("SIM-503"), std::string::npos) << r.body;
}

TEST(FaultModeTest, ModesThatActOnTheSocketLeaveTheReplyAlone) {
  for (FaultMode mode : {FaultMode::kNone, FaultMode::kHang, FaultMode::kSlow, FaultMode::kReset, FaultMode::kClose})
    EXPECT_EQ(damaged_reply(mode, correct_reply(), kBrpPath).body, correct_reply().body);
}

TEST(FaultModeTest, RawResponseAnnouncesTheWholeBodyAndCloses) {
  HttpReply reply = correct_reply();
  std::size_t header_size = 0;
  const std::string raw = raw_http_response(reply, header_size);
  EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(raw.find("Content-Length: " + std::to_string(reply.body.size()) + "\r\n"), std::string::npos);
  EXPECT_NE(raw.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(raw.substr(header_size), reply.body);
  EXPECT_EQ(raw.substr(header_size - 4, 4), "\r\n\r\n");
}

// A person's answer as the simulator shapes it: the hostile modes put their payload in its first value.
HttpReply person_reply() {
  HttpReply r;
  r.body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
      "<soap:Body><smls:AanvraagPersoonResponse xmlns:smls=\"urn:smls\"><ClientSuwi><Voornamen>Petra</Voornamen>"
      "<Burgerservicenr>553408987</Burgerservicenr></ClientSuwi></smls:AanvraagPersoonResponse></soap:Body></soap:Envelope>";
  return r;
}

constexpr FaultMode kHostileModes[] = {FaultMode::kLaughs,       FaultMode::kXxe,      FaultMode::kDoctype,
                                       FaultMode::kDeep,         FaultMode::kBigAttribute, FaultMode::kSiblings,
                                       FaultMode::kBadUtf8,      FaultMode::kOversize, FaultMode::kOversizeChunked};

TEST(FaultModeTest, ParsesEveryHostileModeByName) {
  for (const char* name : {"laughs", "xxe", "doctype", "deep", "bigattr", "siblings", "badutf8", "oversize",
                           "oversizechunked"}) {
    const auto spec = parse_fault_spec(std::string(name) + ":BRPDossierPersoonGSD");
    ASSERT_TRUE(spec) << name;
    EXPECT_NE(std::find(std::begin(kHostileModes), std::end(kHostileModes), spec->mode), std::end(kHostileModes)) << name;
    EXPECT_EQ(spec->xxe_uri, kDefaultXxeUri);
    EXPECT_NE(fault_mode_names().find(name), std::string::npos) << name;
  }
}

TEST(FaultModeTest, HostileAnswersAre200sThatTheHardenedParserRefuses) {
  xml::init();
  for (FaultMode mode : kHostileModes) {
    const HttpReply r = damaged_reply(mode, person_reply(), kBrpPath, "http://127.0.0.1:9/x");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type.rfind("text/xml", 0), 0u);
    EXPECT_NE(r.body, person_reply().body);
    std::string error;
    EXPECT_FALSE(xml::parse_untrusted(r.body, 16 << 20, error)) << static_cast<int>(mode);
    EXPECT_FALSE(error.empty());
  }
}

TEST(FaultModeTest, HostilePayloadTakesThePlaceOfTheFirstValue) {
  const HttpReply xxe = damaged_reply(FaultMode::kXxe, person_reply(), kBrpPath, "file:///tmp/secret");
  EXPECT_NE(xxe.body.find("<!ENTITY xxe SYSTEM \"file:///tmp/secret\">"), std::string::npos) << xxe.body;
  EXPECT_NE(xxe.body.find("<Voornamen>&xxe;</Voornamen>"), std::string::npos) << xxe.body;
  EXPECT_LT(xxe.body.find("<!DOCTYPE"), xxe.body.find("<soap:Envelope"));
  EXPECT_GT(xxe.body.find("<!DOCTYPE"), xxe.body.find("?>"));
  const HttpReply laughs = damaged_reply(FaultMode::kLaughs, person_reply(), kBrpPath);
  EXPECT_NE(laughs.body.find("<Voornamen>&lol9;</Voornamen>"), std::string::npos);
  EXPECT_NE(laughs.body.find("<!ENTITY lol9 \"&lol8;&lol8;"), std::string::npos);
  const HttpReply siblings = damaged_reply(FaultMode::kSiblings, person_reply(), kBrpPath);
  std::size_t count = 0;
  for (auto at = siblings.body.find("<Voornamen>Broerzus</Voornamen>"); at != std::string::npos;
       at = siblings.body.find("<Voornamen>Broerzus</Voornamen>", at + 1))
    ++count;
  EXPECT_EQ(count, static_cast<std::size_t>(kSiblingCount));
  EXPECT_NE(siblings.body.find("<Voornamen>Petra</Voornamen><Voornamen>Broerzus"), std::string::npos);
  EXPECT_GT(damaged_reply(FaultMode::kOversize, person_reply(), kBrpPath).body.size(), kOversizeBytes);
  EXPECT_GT(damaged_reply(FaultMode::kBigAttribute, person_reply(), kBrpPath).body.size(), kBigAttributeBytes);
  EXPECT_NE(damaged_reply(FaultMode::kDeep, person_reply(), kBrpPath).body.find("<Voornamen><x><x>"), std::string::npos);
}

TEST(FaultModeTest, HostilePayloadWithoutAPersonGoesIntoTheBody) {
  const HttpReply r = damaged_reply(FaultMode::kBadUtf8, correct_reply(), kBrpPath);
  EXPECT_NE(r.body.find("\xff\xfe"), std::string::npos);
}

}  // namespace
}  // namespace doelpoort::sim
