// Hostile requests at the front door: each gets a clean coded Fault or a closed connection, never reaches a
// registry, leaves an audit record without its payload where it was a request at all, and leaves the gateway
// healthy with bounded memory.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "harness.h"
#include "soap_service.h"

namespace doelpoort::testing {
namespace {

std::string envelope(const std::string& prolog, const std::string& body_inner, const std::string& after_body = "") {
  return prolog + R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing")"
                  R"( xmlns:dp="urn:nl:doelpoort:inquiry:v1"><s:Header><a:Action>urn:nl:doelpoort:inquiry:v1/Inquire</a:Action>)"
                  R"(<a:MessageID>urn:uuid:bad</a:MessageID></s:Header><s:Body>)" +
         body_inner + "</s:Body>" + after_body + "</s:Envelope>";
}

std::string inquire(const std::string& activity, const std::string& bsn, const std::string& extra = "") {
  return "<dp:Inquire><dp:activity>" + activity + "</dp:activity><dp:caseReference>Z-1</dp:caseReference>"
         "<dp:userId>u1001</dp:userId><dp:subjectBsn>" + bsn + "</dp:subjectBsn><dp:source>BRPDossierPersoon</dp:source>"
         "<dp:field>voornamen</dp:field>" + extra + "</dp:Inquire>";
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

using BadInputTest = IntegrationTest;

struct Hostile {
  const char* name;
  std::string body;
  bool must_fault;  // a coded Fault (not merely a closed connection) is expected
  const char* expected_code = "INVALID_REQUEST";
};

TEST_F(BadInputTest, EveryHostileRequestIsRefusedWithoutReachingARegistry) {
  Tripwire tripwire;
  const std::string bsn = known_bsn_;
  std::string deep, siblings;
  for (int i = 0; i < 10000; ++i) deep += "<x>";
  for (int i = 0; i < 10000; ++i) deep += "</x>";
  for (int i = 0; i < 100000; ++i) siblings += "<dp:field>voornamen</dp:field>";
  const std::vector<Hostile> catalogue = {
      {"billion laughs",
       envelope(R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>)",
                inquire("&lol1;", bsn)),
       true},
      {"XXE to a local file",
       envelope(R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>)", inquire("&e;", bsn)), true},
      {"XXE to a loopback listener",
       envelope("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"http://127.0.0.1:" + std::to_string(tripwire.port()) +
                    "/x\">]>",
                inquire("&e;", bsn)),
       true},
      {"nesting 10,000 deep", envelope("", inquire("pw-recht-op-uitkering", bsn, deep)), false},
      {"a 10 MB attribute", envelope("", "<dp:Inquire a=\"" + std::string(10 << 20, 'A') + "\"/>"), false},
      {"100,000 siblings", envelope("", inquire("pw-recht-op-uitkering", bsn, siblings)), false},
      {"body over the size limit", envelope("", inquire("pw-recht-op-uitkering", bsn, "<dp:reason>" + std::string(70000, 'r') + "</dp:reason>")), false},
      {"two Bodies", envelope("", inquire("pw-recht-op-uitkering", bsn), "<s:Body>" + inquire("pw-recht-op-uitkering", bsn) + "</s:Body>"), true},
      {"invalid UTF-8", envelope("", inquire("pw-recht\xff\xfe-op", bsn)), true, "ACTIVITY_UNKNOWN"},
      {"not XML at all", "GARBAGE \x01\x02\x03 <<<>>>", true},
  };
  for (const auto& h : catalogue) {
    UpstreamReply reply;
    SourceConfig sc;
    sc.name = "gateway";
    sc.url = "https://127.0.0.1:" + std::to_string(port_) + "/";
    sc.host = "127.0.0.1";
    sc.tls = {pki("app-zaaksysteem.crt"), pki("app-zaaksysteem.key"), pki("ca.crt"), "", "127.0.0.1"};
    sc.timeout_ms = 10000;
    std::string error;
    auto up = HttpsUpstream::create(sc, 1 << 20, error);
    ASSERT_TRUE(up) << error;
    const Status s = up->call(h.body, kInquireAction, reply);
    if (h.must_fault || s.is_ok()) {
      ASSERT_TRUE(s.is_ok()) << h.name << ": " << s.message();
      EXPECT_EQ(reply.http_status, 500) << h.name;
      const std::string code = h.expected_code;
      EXPECT_NE(reply.body.find(code + "</dp:code>"), std::string::npos) << h.name << ": " << reply.body.substr(0, 600);
      EXPECT_EQ(reply.body.find("root:"), std::string::npos) << h.name;  // nothing of /etc/passwd
    }
    // the gateway is fine: a good inquiry right after is answered
    InquiryAnswer ok = client("app-zaaksysteem")->inquire(permitted_request());
    ASSERT_TRUE(ok.transport_ok && !ok.fault) << "after " << h.name << ": " << ok.transport_error << ok.fault_code;
  }
  EXPECT_EQ(tripwire.hits(), 0);
  EXPECT_EQ(sim_stats()["total"].get<int>(), static_cast<int>(catalogue.size()));  // only the good inquiries
  EXPECT_LT(rss_kib(gateway_->pid()), 200 * 1024) << "memory must stay bounded";
  ASSERT_EQ(gateway_->stop(), 0);
  gateway_.reset();
  // The refusals are audited, without their payloads, and the log verifies.
  std::string out;
  EXPECT_EQ(run_command({bin("doelpoort"), "audit", "verify", dir_ + "/gw-audit", "--public-key", dir_ + "/tree-head.key.pub"}, out), 0) << out;
  int refused = 0;
  for (const auto& r : audit_records()) {
    if (r.value("code", "") != "INVALID_REQUEST") continue;
    ++refused;
    const std::string text = r.dump();
    EXPECT_EQ(text.find("lol"), std::string::npos);
    EXPECT_EQ(text.find("AAAAAAAA"), std::string::npos);
    EXPECT_LT(text.size(), 3000u);
  }
  EXPECT_GE(refused, 6);
}

}  // namespace
}  // namespace doelpoort::testing
