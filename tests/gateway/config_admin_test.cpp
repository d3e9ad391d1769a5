// The `admin` block of config/doelpoort.yaml: optional, loopback by default, strict keys, a warning for a
// plain-HTTP admin port off loopback. And the `audit` block's optional settings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config.h"

namespace doelpoort {
namespace {

class AdminConfigTest : public ::testing::Test {
 protected:
  std::optional<GatewayConfig> load(const std::string& admin_block, const std::string& audit_extra = "") {
    const std::string text = std::string(R"(listen: 127.0.0.1:8443
tls: {certificate: gw.crt, key: gw.key, client_ca: ca.crt}
register: register.yaml
staff: staff.yaml
mappings: mappings
audit: {dir: audit, subject_key: subject.key, signing_key: tree-head.key)" + audit_extra + R"(}
applications:
  - {id: zaaksysteem, cn: zaaksysteem, activities: [pw-recht-op-uitkering]}
sources:
  BRPDossierPersoon: {url: "https://127.0.0.1:9443/brp", ca: ca.crt, certificate: c.crt, key: c.key}
)") + admin_block;
    std::ofstream(path) << text;
    diags = Diagnostics();
    return load_config(path, diags);
  }
  bool warned(const std::string& what) const {
    for (const auto& d : diags.all())
      if (d.level == Diagnostic::Level::Warning && d.message.find(what) != std::string::npos) return true;
    return false;
  }
  void TearDown() override { std::filesystem::remove(path); }

  std::string path = std::filesystem::temp_directory_path() / ("dp-admin-config-" + std::to_string(::getpid()) + ".yaml");
  Diagnostics diags;
};

TEST_F(AdminConfigTest, WithoutAnAdminBlockThereIsNoAdminListener) {
  auto c = load("");
  ASSERT_TRUE(c) << (diags.all().empty() ? "" : diags.all().front().to_string());
  EXPECT_FALSE(c->admin.enabled);
}

TEST_F(AdminConfigTest, AnEmptyListenDefaultsToLoopback9180) {
  auto c = load("admin: {}\n");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->admin.enabled);
  EXPECT_EQ(c->admin.listen_host, "127.0.0.1");
  EXPECT_EQ(c->admin.listen_port, 9180);
  EXPECT_FALSE(c->admin.tls);
}

TEST_F(AdminConfigTest, ReadsListenAndMutualTls) {
  auto c = load("admin:\n  listen: 127.0.0.1:0\n  tls: {certificate: a.crt, key: a.key, client_ca: ca.crt}\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->admin.listen_port, 0);
  ASSERT_TRUE(c->admin.tls);
  EXPECT_EQ(std::filesystem::path(c->admin.tls->certificate).filename(), "a.crt");
  EXPECT_TRUE(std::filesystem::path(c->admin.tls->certificate).is_absolute());  // relative to the file
}

TEST_F(AdminConfigTest, UnknownKeysAndBadAddressesAreErrors) {
  EXPECT_FALSE(load("admin: {listen: 127.0.0.1:9180, metrics_path: /m}\n"));
  EXPECT_FALSE(load("admin: {listen: nine-one-eight-zero}\n"));
  EXPECT_FALSE(load("admin: {tls: {certificate: a.crt}}\n"));  // key and client_ca are required
}

TEST_F(AdminConfigTest, PlainHttpOffLoopbackIsWarnedAbout) {
  auto c = load("admin: {listen: 0.0.0.0:9180}\n");
  ASSERT_TRUE(c);
  EXPECT_TRUE(warned("without tls"));
  EXPECT_TRUE(load("admin: {listen: 127.0.0.1:9180}\n"));
  EXPECT_FALSE(warned("without tls"));
}

TEST_F(AdminConfigTest, AuditGroupCommitHasDefaultsAndBounds) {
  auto c = load("");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->group_commit_delay_us, 600);
  EXPECT_EQ(c->group_commit_min_waiting, 8);
  c = load("", ", group_commit_delay_us: 0, group_commit_min_waiting: 1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->group_commit_delay_us, 0);
  EXPECT_EQ(c->group_commit_min_waiting, 1);
  EXPECT_FALSE(load("", ", group_commit_delay_us: -1"));
  EXPECT_FALSE(load("", ", group_commit_delay_us: 100001"));  // over 0.1 s: a mistake, not a tuning
  EXPECT_FALSE(load("", ", group_commit_min_waiting: 0"));
  EXPECT_FALSE(load("", ", group_commit_siblings: 8"));
}

}  // namespace
}  // namespace doelpoort
