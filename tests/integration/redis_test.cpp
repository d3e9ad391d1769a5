// Several gateways sharing one Redis: one volume limit across them, replays seen across them, fail
// closed while Redis is down and recover without a restart; caseload imported with the CLI.
#include <gtest/gtest.h>

#include <fstream>

#include "../support/redis_server.h"
#include "harness.h"

namespace doelpoort::testing {
namespace {

// A register of two activities with tight proportionality rules, on the shipped mappings and staff.
constexpr const char* kRegister = R"(register:
  version: "test-1"
  organisation: Werkplein Test
  controller: College
categories:
  identificatie: { name: Identificatie }
  woonsituatie: { name: Woonsituatie }
  medebewoners: { name: Medebewoners }
  arbeid: { name: Arbeid }
  inkomen: { name: Inkomen }
organisations:
  brp: { name: BRP, country: NL, services: [BRPDossierPersoon] }
  uwv: { name: UWV, country: NL, services: [UWVDossierInkomsten] }
activities:
  - id: pw-limiet
    version: "1"
    name: Limiet
    purpose: test
    legal_basis: { ground: "AVG art. 6 lid 1 sub c", law: "Participatiewet art. 64" }
    categories: [identificatie]
    received_from: [brp]
    retention: 1 jaar
    roles: [inkomensconsulent]
    proportionality: { max_inquiries_per_user_per_hour: 3 }
    sources:
      BRPDossierPersoon: [voornamen]
  - id: pw-caseload
    version: "1"
    name: Caseload
    purpose: test
    legal_basis: { ground: "AVG art. 6 lid 1 sub c", law: "Participatiewet art. 64" }
    categories: [identificatie]
    received_from: [brp]
    retention: 1 jaar
    roles: [inkomensconsulent]
    proportionality: { caseload_binding: true }
    sources:
      BRPDossierPersoon: [voornamen]
)";

class RedisIntegrationTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    std::ofstream(dir_ + "/register.yaml") << kRegister;
    options.register_file = dir_ + "/register.yaml";
    options.state = redis.url();
    options.zaaksysteem_activities = {"pw-limiet", "pw-caseload"};
  }
  InquiryRequest request(const std::string& activity = "pw-limiet") const {
    return {activity, "Z-1", "u1001", known_bsn_, "BRPDossierPersoon", {"voornamen"}, "", false, {}};
  }
  RedisServer redis;
  GatewayOptions options;
};

TEST_F(RedisIntegrationTest, TwoGatewaysEnforceOneCombinedVolumeLimit) {
  int port_a = 0, port_b = 0;
  auto a = start_gateway(options, port_a, "a");
  auto b = start_gateway(options, port_b, "b");
  auto ca = client("app-zaaksysteem", port_a), cb = client("app-zaaksysteem", port_b);
  EXPECT_FALSE(ca->inquire(request()).fault);
  EXPECT_FALSE(cb->inquire(request()).fault);
  EXPECT_FALSE(ca->inquire(request()).fault);
  InquiryAnswer fourth = cb->inquire(request());
  EXPECT_EQ(fourth.fault_code, "VOLUME_LIMIT_EXCEEDED") << fourth.fault_string;
  EXPECT_EQ(ca->inquire(request()).fault_code, "VOLUME_LIMIT_EXCEEDED");
  EXPECT_EQ(sim_stats()["total"], 3);
  EXPECT_EQ(a->stop(), 0);
  EXPECT_EQ(b->stop(), 0);
}

TEST_F(RedisIntegrationTest, ReplayIsDetectedAcrossGateways) {
  int port_a = 0, port_b = 0;
  auto a = start_gateway(options, port_a, "a");
  auto b = start_gateway(options, port_b, "b");
  const std::string id = "urn:uuid:0badcafe-0000-4000-8000-000000000001";
  EXPECT_FALSE(client("app-zaaksysteem", port_a)->inquire(request(), id).fault);
  InquiryAnswer again = client("app-zaaksysteem", port_b)->inquire(request(), id);
  EXPECT_EQ(again.fault_code, "REPLAY_DETECTED") << again.fault_string;
  EXPECT_EQ(sim_stats()["total"], 1);
}

TEST_F(RedisIntegrationTest, RedisDownFailsClosedAndRecoversWithoutRestart) {
  int port = 0;
  auto gw = start_gateway(options, port, "a");
  auto c = client("app-zaaksysteem", port);
  ASSERT_FALSE(c->inquire(request()).fault);
  redis.stop();
  const auto t0 = std::chrono::steady_clock::now();
  InquiryAnswer down = c->inquire(request());
  EXPECT_EQ(down.fault_code, "STATE_UNAVAILABLE") << down.fault_string;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(sim_stats()["total"], 1);  // nothing reached the registry while the state was unknown
  redis.start();
  InquiryAnswer back;
  for (int i = 0; i < 20; ++i) {  // the store reconnects at most every 250 ms
    back = c->inquire(request());
    if (!back.fault) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(back.fault) << back.fault_code;
  EXPECT_EQ(gw->stop(), 0);
}

TEST_F(RedisIntegrationTest, CaseloadImportedWithTheCliBindsSubjectsToTheirCase) {
  int port = 0;
  auto gw = start_gateway(options, port, "a");
  auto c = client("app-zaaksysteem", port);
  EXPECT_EQ(c->inquire(request("pw-caseload")).fault_code, "SUBJECT_NOT_IN_CASELOAD");
  std::ofstream(dir_ + "/caseload.csv") << "case_reference,bsn\nZ-1," << known_bsn_ << "\nZ-2,111222333\n";
  std::string out;
  ASSERT_EQ(run_command({bin("doelpoort"), "caseload", "import", "--config", dir_ + "/a.yaml", dir_ + "/caseload.csv"}, out), 0) << out;
  EXPECT_NE(out.find("imported 2 subject(s) in 2 case(s)"), std::string::npos) << out;
  EXPECT_FALSE(c->inquire(request("pw-caseload")).fault);
  InquiryRequest other_case = request("pw-caseload");
  other_case.case_reference = "Z-2";
  EXPECT_EQ(c->inquire(other_case).fault_code, "SUBJECT_NOT_IN_CASELOAD");
  EXPECT_EQ(gw->stop(), 0);
}

TEST_F(RedisIntegrationTest, CaseloadImportRefusesABadFileWhole) {
  int port = 0;
  auto gw = start_gateway(options, port, "a");
  std::ofstream(dir_ + "/caseload.csv") << "Z-1," << known_bsn_ << "\nZ-2,123456789\n";
  std::string out;
  EXPECT_EQ(run_command({bin("doelpoort"), "caseload", "import", "--config", dir_ + "/a.yaml", dir_ + "/caseload.csv"}, out), 1);
  EXPECT_NE(out.find("caseload.csv:2: error: not a valid BSN"), std::string::npos) << out;
  EXPECT_EQ(client("app-zaaksysteem", port)->inquire(request("pw-caseload")).fault_code, "SUBJECT_NOT_IN_CASELOAD");
}

}  // namespace
}  // namespace doelpoort::testing
