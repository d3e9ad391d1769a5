// The register as a living policy: hot reload on SIGHUP (all or nothing), shadow mode, replaying the
// audit log against a candidate, and the break-glass review queue.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "harness.h"

namespace doelpoort::testing {
namespace {

class PolicyTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    shipped = read_file(source("config/register.yaml"));
    std::ofstream(dir_ + "/register.yaml") << shipped;
    options.register_file = dir_ + "/register.yaml";
  }
  // The shipped register with `geslachtsnaam` no longer allowed for pw-recht-op-uitkering.
  std::string without_geslachtsnaam() const {
    std::string r = shipped;
    const auto activity = r.find("- id: pw-recht-op-uitkering");
    const auto field = r.find(" geslachtsnaam,", r.find("BRPDossierPersoon:", activity));
    EXPECT_NE(field, std::string::npos);
    r.erase(field, 15);
    return r;
  }
  InquiryAnswer ask(int port) { return client("app-zaaksysteem", port)->inquire(permitted_request()); }

  std::string shipped;
  GatewayOptions options;
};

TEST_F(PolicyTest, ReloadSwapsInAValidRegister) {
  int port = 0;
  auto gw = start_gateway(options, port, "r");
  ASSERT_FALSE(ask(port).fault);
  std::ofstream(dir_ + "/register.yaml") << without_geslachtsnaam();
  ::kill(gw->pid(), SIGHUP);
  InquiryAnswer a;
  for (int i = 0; i < 50; ++i) {
    a = ask(port);
    if (a.fault) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(a.fault_code, "FIELD_NOT_PERMITTED");
  EXPECT_NE(read_file(gw->log_file()).find("\"event\":\"reloaded\""), std::string::npos);
}

TEST_F(PolicyTest, ReloadKeepsTheRunningRegisterWhenTheNewOneIsBad) {
  int port = 0;
  auto gw = start_gateway(options, port, "r");
  std::ofstream(dir_ + "/register.yaml") << without_geslachtsnaam() << "    colour: blue\n";
  ::kill(gw->pid(), SIGHUP);
  for (int i = 0; i < 50 && read_file(gw->log_file()).find("reload_rejected") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string log = read_file(gw->log_file());
  EXPECT_NE(log.find("\"event\":\"reload_rejected\""), std::string::npos) << log;
  EXPECT_NE(log.find("register.yaml:"), std::string::npos) << log;
  EXPECT_NE(log.find("\"rejected_total\":1"), std::string::npos) << log;
  InquiryAnswer a = ask(port);
  EXPECT_FALSE(a.fault) << a.fault_code;  // the old register still decides
}

TEST_F(PolicyTest, ShadowRegisterIsRecordedButNotEnforced) {
  std::ofstream(dir_ + "/candidate.yaml") << without_geslachtsnaam();
  options.shadow_register = dir_ + "/candidate.yaml";
  int port = 0;
  auto gw = start_gateway(options, port, "s");
  InquiryAnswer a = ask(port);
  ASSERT_FALSE(a.fault) << a.fault_code;  // the live register permits it
  ASSERT_EQ(gw->stop(), 0);
  std::string out;
  ASSERT_EQ(run_command({bin("doelpoort"), "audit", "verify", dir_ + "/s-audit"}, out), 0) << out;
  std::ifstream in(dir_ + "/s-audit/segment-000000000001.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  auto record = nlohmann::json::parse(line);
  EXPECT_EQ(record["kind"], "decision");
  EXPECT_EQ(record["decision"], "permit");
  EXPECT_EQ(record["shadow"]["code"], "FIELD_NOT_PERMITTED") << line;
}

TEST_F(PolicyTest, RegisterDiffReplaysTheAuditLogAgainstACandidate) {
  int port = 0;
  auto gw = start_gateway(options, port, "d");
  ASSERT_FALSE(ask(port).fault);  // asks voornamen + geslachtsnaam
  InquiryRequest only_names = permitted_request();
  only_names.fields = {"voornamen"};
  ASSERT_FALSE(client("app-zaaksysteem", port)->inquire(only_names).fault);
  ASSERT_EQ(gw->stop(), 0);
  std::ofstream(dir_ + "/candidate.yaml") << without_geslachtsnaam();
  std::string out;
  ASSERT_EQ(run_command({bin("doelpoort"), "register", "diff", "--config", dir_ + "/d.yaml", "--replay",
                         dir_ + "/d-audit", dir_ + "/candidate.yaml"}, out), 0) << out;
  EXPECT_NE(out.find("OK -> FIELD_NOT_PERMITTED"), std::string::npos) << out;
  EXPECT_NE(out.find("2 inquiries replayed"), std::string::npos) << out;
  EXPECT_NE(out.find("1 would change"), std::string::npos) << out;
}

TEST_F(PolicyTest, BreakGlassInquiriesAreListedForReview) {
  int port = 0;
  auto gw = start_gateway(options, port, "b");
  InquiryRequest r = permitted_request();
  r.activity = "pw-fraudeonderzoek";
  r.user = "u1003";
  r.fields = {"voornamen"};
  r.break_glass = true;
  r.reason = "melding acuut gevaar, buiten kantoortijd";
  InquiryAnswer a = client("app-zaaksysteem", port)->inquire(r);
  ASSERT_FALSE(a.fault) << a.fault_code << a.fault_string;
  ASSERT_FALSE(client("app-zaaksysteem", port)->inquire(permitted_request()).fault);  // an ordinary one
  ASSERT_EQ(gw->stop(), 0);
  std::string out;
  ASSERT_EQ(run_command({bin("doelpoort"), "audit", "review", dir_ + "/b-audit"}, out), 0) << out;
  EXPECT_NE(out.find("1 break-glass inquiry to review"), std::string::npos) << out;
  EXPECT_NE(out.find("melding acuut gevaar, buiten kantoortijd"), std::string::npos) << out;
  EXPECT_NE(out.find(a.inquiry_id), std::string::npos) << out;
}

}  // namespace
}  // namespace doelpoort::testing
