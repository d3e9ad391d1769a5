// The `doelpoort` command line: help, check, inquire exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

namespace doelpoort::testing {
namespace {

TEST(Cli, HelpListsEverySubcommand) {
  std::string out;
  EXPECT_EQ(run_command({bin("doelpoort"), "--help"}, out), 0);
  for (const char* sub : {"serve", "check", "register", "audit", "inquire"}) EXPECT_NE(out.find(sub), std::string::npos) << sub;
}

TEST(Cli, EverySubcommandHasHelp) {
  for (std::vector<std::string> args : {std::vector<std::string>{"serve"}, {"check"}, {"inquire"}, {"audit", "verify"},
                                        {"register", "publish"}}) {
    args.insert(args.begin(), bin("doelpoort"));
    args.push_back("--help");
    std::string out;
    EXPECT_EQ(run_command(args, out), 0) << args[1];
    EXPECT_NE(out.find("--"), std::string::npos) << out;
  }
}

TEST(Cli, UnknownSubcommandIsOneLineAndNonZero) {
  std::string out;
  EXPECT_EQ(run_command({bin("doelpoort"), "frobnicate"}, out), 2);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
}

class CliCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("dp-cli-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    options.brp_url = "https://127.0.0.1:9/brp";
    options.uwv_url = "https://127.0.0.1:9/uwv";
    options.audit_dir = dir + "/audit";
    options.subject_key = dir + "/subject.key";
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  int check(std::string& out) {
    std::ofstream(dir + "/doelpoort.yaml") << gateway_config_yaml(options);
    return run_command({bin("doelpoort"), "check", "--config", dir + "/doelpoort.yaml"}, out);
  }
  std::string dir;
  GatewayOptions options;
};

TEST_F(CliCheckTest, CheckAcceptsTheShippedRegister) {
  std::string out;
  EXPECT_EQ(check(out), 0) << out;
  EXPECT_NE(out.find("OK (register"), std::string::npos) << out;
}

TEST_F(CliCheckTest, CheckReportsARegisterErrorWithItsPositionAndFails) {
  std::string reg = read_file(source("config/register.yaml"));
  reg.replace(reg.find("    roles: [klantmanager-werk]"), 30, "    roles: [klantmanager-werk]\n    colour: blue");
  std::ofstream(dir + "/register.yaml") << reg;
  options.register_file = dir + "/register.yaml";
  std::string out;
  EXPECT_EQ(check(out), 1);
  EXPECT_NE(out.find("register.yaml:"), std::string::npos) << out;
  EXPECT_NE(out.find("unknown key \"colour\""), std::string::npos) << out;
}

TEST_F(CliCheckTest, CheckReportsAnActivityFieldThatNoMappingHas) {
  std::string reg = read_file(source("config/register.yaml"));
  reg.replace(reg.find("[voornamen, voorvoegsel, geslachtsnaam, adres_straat"), 11, "[schoenmaat,");
  std::ofstream(dir + "/register.yaml") << reg;
  options.register_file = dir + "/register.yaml";
  std::string out;
  EXPECT_EQ(check(out), 1);
  EXPECT_NE(out.find("no field \"schoenmaat\""), std::string::npos) << out;
}

TEST(Cli, RegisterPublishRendersEveryActivity) {
  std::string out;
  ASSERT_EQ(run_command({bin("doelpoort"), "register", "publish", "--config", source("config/doelpoort.yaml")}, out), 0) << out;
  EXPECT_NE(out.find("# Register van verwerkingen"), std::string::npos);
  EXPECT_NE(out.find("Vaststellen recht op bijstand"), std::string::npos);
  EXPECT_NE(out.find("Participatiewet art. 53a"), std::string::npos);
  EXPECT_NE(out.find("**Ontvangen van:** BRPDossierPersoon"), std::string::npos) << out;
}

using CliInquireTest = IntegrationTest;

TEST_F(CliInquireTest, InquireExitsZeroWhenAnsweredAndThreeWhenRefused) {
  const std::vector<std::string> base = {bin("doelpoort"), "inquire", "--url", "https://127.0.0.1:" + std::to_string(port_) + "/",
                                         "--ca", pki("ca.crt"), "--cert", pki("app-zaaksysteem.crt"), "--key",
                                         pki("app-zaaksysteem.key"), "--activity", "pw-recht-op-uitkering", "--user",
                                         "u1001", "--bsn", known_bsn_, "--source", "BRPDossierPersoon", "--case", "Z-1"};
  std::string out;
  auto args = base;
  args.insert(args.end(), {"--fields", "voornamen,geslachtsnaam"});
  EXPECT_EQ(run_command(args, out), 0) << out;
  EXPECT_NE(out.find("voornamen = "), std::string::npos) << out;
  args = base;
  args.insert(args.end(), {"--fields", "voornamen,geslacht"});
  EXPECT_EQ(run_command(args, out), 3) << out;
  EXPECT_NE(out.find("FIELD_NOT_PERMITTED"), std::string::npos) << out;
}

}  // namespace
}  // namespace doelpoort::testing
