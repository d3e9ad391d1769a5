// The loaders refuse what they do not understand, and say where.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mapping.h"
#include "policy.h"
#include "register.h"
#include "staff.h"

namespace doelpoort {
namespace {

namespace fs = std::filesystem;

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("dp-loader-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir / "mappings");
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
  std::string all(const Diagnostics& d) {
    std::string s;
    for (const auto& x : d.all()) s += x.to_string() + "\n";
    return s;
  }
  fs::path dir;
};

constexpr const char* kRegisterHead = R"(register:
  version: "1"
  organisation: Werkplein
  controller: College
activities:
)";

constexpr const char* kActivity = R"(  - id: pw-a
    version: "1"
    name: A
    purpose: doel
    legal_basis: { ground: "AVG art. 6 lid 1 sub c", law: "Participatiewet art. 64" }
    roles: [consulent]
    sources:
      BRP: [voornamen]
)";

TEST_F(LoaderTest, LoadsAValidRegister) {
  Diagnostics d;
  auto reg = load_register(write("r.yaml", std::string(kRegisterHead) + kActivity), d);
  ASSERT_TRUE(reg) << all(d);
  ASSERT_NE(reg->find("pw-a"), nullptr);
  EXPECT_TRUE(reg->find("pw-a")->case_reference_required);  // the safe default
  EXPECT_EQ(reg->find("pw-a")->fields_of("BRP")->count("voornamen"), 1u);
}

TEST_F(LoaderTest, UnknownKeyIsAnErrorNamingFileLineAndColumn) {
  Diagnostics d;
  std::string text = std::string(kRegisterHead) + kActivity + "    colour: blue\n";
  auto reg = load_register(write("r.yaml", text), d);
  EXPECT_FALSE(reg);
  ASSERT_TRUE(d.has_errors());
  EXPECT_NE(all(d).find("r.yaml:14:5: error: activity \"pw-a\": unknown key \"colour\""), std::string::npos) << all(d);
}

TEST_F(LoaderTest, MissingRequiredKeyIsAnError) {
  Diagnostics d;
  std::string act = kActivity;
  act.replace(act.find("    purpose: doel\n"), 18, "");
  EXPECT_FALSE(load_register(write("r.yaml", std::string(kRegisterHead) + act), d));
  EXPECT_NE(all(d).find("missing required key \"purpose\""), std::string::npos) << all(d);
}

TEST_F(LoaderTest, DuplicateActivityIsAnError) {
  Diagnostics d;
  EXPECT_FALSE(load_register(write("r.yaml", std::string(kRegisterHead) + kActivity + kActivity), d));
  EXPECT_NE(all(d).find("activity \"pw-a\" is defined twice"), std::string::npos) << all(d);
}

TEST_F(LoaderTest, DuplicateKeyIsAnError) {
  Diagnostics d;
  std::string text = std::string(kRegisterHead) + kActivity + "    name: B\n";
  EXPECT_FALSE(load_register(write("r.yaml", text), d));
  EXPECT_NE(all(d).find("duplicate key \"name\""), std::string::npos) << all(d);
}

TEST_F(LoaderTest, YamlSyntaxErrorNamesPosition) {
  Diagnostics d;
  EXPECT_FALSE(load_register(write("r.yaml", "register: [unclosed\n"), d));
  EXPECT_NE(all(d).find("r.yaml:"), std::string::npos);
  EXPECT_NE(all(d).find("YAML syntax"), std::string::npos) << all(d);
}

TEST_F(LoaderTest, StaffWithUnknownRoleIsAnError) {
  Diagnostics d;
  auto staff = load_staff(write("s.yaml", "roles: { consulent: x }\nusers:\n  u1: { name: A, roles: [baas] }\n"), d);
  EXPECT_FALSE(staff);
  EXPECT_NE(all(d).find("unknown role \"baas\""), std::string::npos) << all(d);
}

constexpr const char* kMapping = R"(source: BRP
action: urn:a
namespaces: { s: "urn:s" }
request: "<r>{{bsn}}</r>"
fields:
  voornamen: { xpath: "//s:Voornamen", category: identificatie }
)";

TEST_F(LoaderTest, MappingWithUnknownPlaceholderIsAnError) {
  Diagnostics d;
  std::string text = kMapping;
  text.replace(text.find("{{bsn}}"), 7, "{{naam}}");
  write("mappings/brp.yaml", text);
  EXPECT_FALSE(load_mappings((dir / "mappings").string(), d));
  EXPECT_NE(all(d).find("unknown placeholder {{naam}}"), std::string::npos) << all(d);
}

TEST_F(LoaderTest, MappingWithUnknownCategoryIsAnError) {
  Diagnostics d;
  std::string text = kMapping;
  text.replace(text.find("identificatie"), 13, "schoenmaat");
  write("mappings/brp.yaml", text);
  EXPECT_FALSE(load_mappings((dir / "mappings").string(), d));
  EXPECT_NE(all(d).find("unknown category \"schoenmaat\""), std::string::npos) << all(d);
}

TEST_F(LoaderTest, RequestTemplateEscapesValues) {
  RequestTemplate t;
  std::string error;
  ASSERT_TRUE(t.parse("<a>{{bsn}}</a><b>{{message_id}}</b>", error)) << error;
  EXPECT_EQ(t.render({"1<2&3", "m\"1", "", ""}), "<a>1&lt;2&amp;3</a><b>m&quot;1</b>");
}

TEST_F(LoaderTest, CrossCheckFindsFieldsSourcesAndRolesThatDoNotExist) {
  Diagnostics d;
  std::string act = kActivity;
  act.replace(act.find("[voornamen]"), 11, "[voornamen, schoenmaat]");
  act += "      RDW: [kenteken]\n";
  Policy p;
  p.reg = load_register(write("r.yaml", std::string(kRegisterHead) + act), d);
  p.staff = load_staff(write("s.yaml", "roles: { andere: x }\nusers: {}\n"), d);
  write("mappings/brp.yaml", kMapping);
  p.mappings = load_mappings((dir / "mappings").string(), d);
  ASSERT_TRUE(p.reg && p.staff && p.mappings) << all(d);
  cross_check(p, {"BRP"}, d);
  const std::string out = all(d);
  EXPECT_NE(out.find("unknown role \"consulent\""), std::string::npos) << out;
  EXPECT_NE(out.find("no field \"schoenmaat\""), std::string::npos) << out;
  EXPECT_NE(out.find("unknown source \"RDW\""), std::string::npos) << out;
  EXPECT_NE(out.find("r.yaml:"), std::string::npos) << out;
}

TEST_F(LoaderTest, ShippedConfigurationLoadsWithoutErrors) {
  Diagnostics d;
  const std::string src = DOELPOORT_SOURCE_DIR;
  Policy p;
  p.reg = load_register(src + "/config/register.yaml", d);
  p.staff = load_staff(src + "/config/staff.yaml", d);
  p.mappings = load_mappings(src + "/mappings", d);
  ASSERT_TRUE(p.reg && p.staff && p.mappings) << all(d);
  cross_check(p, {"BRPDossierPersoon", "UWVDossierInkomsten"}, d);
  EXPECT_FALSE(d.has_errors()) << all(d);
}

}  // namespace
}  // namespace doelpoort
