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
categories:
  identificatie: { name: Identificatie }
  gezondheid: { name: Medisch, special: "art. 9" }
organisations:
  brp: { name: BRP, country: NL, services: [BRP] }
activities:
)";

constexpr const char* kActivity = R"(  - id: pw-a
    version: "1"
    name: A
    purpose: doel
    legal_basis: { ground: "AVG art. 6 lid 1 sub c", law: "Participatiewet art. 64" }
    categories: [identificatie]
    received_from: [brp]
    retention: 5 jaar
    roles: [consulent]
    sources:
      BRP: [voornamen]
)";

std::string with(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST_F(LoaderTest, LoadsAValidRegister) {
  Diagnostics d;
  auto reg = load_register(write("r.yaml", std::string(kRegisterHead) + kActivity), d);
  ASSERT_TRUE(reg) << all(d);
  ASSERT_NE(reg->find("pw-a"), nullptr);
  EXPECT_TRUE(reg->find("pw-a")->proportionality.case_reference_required);  // the safe default
  EXPECT_EQ(reg->find("pw-a")->proportionality.search_keys, std::set<SearchKey>{SearchKey::Bsn});
  EXPECT_EQ(reg->find("pw-a")->fields_of("BRP")->count("voornamen"), 1u);
}

TEST_F(LoaderTest, UnknownKeyIsAnErrorNamingFileLineAndColumn) {
  Diagnostics d;
  std::string text = std::string(kRegisterHead) + kActivity + "    colour: blue\n";
  auto reg = load_register(write("r.yaml", text), d);
  EXPECT_FALSE(reg);
  ASSERT_TRUE(d.has_errors());
  EXPECT_NE(all(d).find("r.yaml:22:5: error: activity \"pw-a\": unknown key \"colour\""), std::string::npos) << all(d);
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
namespaces: { s: "urn:s" }
requests:
  bsn: { action: "urn:a", body: "<r>{{bsn}}</r>" }
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

TEST_F(LoaderTest, RequestTemplateEscapesValues) {
  RequestTemplate t;
  std::string error;
  ASSERT_TRUE(t.parse("<a>{{bsn}}</a><b>{{message_id}}</b>", error)) << error;
  RequestTemplate::Values v{};
  v[static_cast<std::size_t>(RequestTemplate::Slot::Bsn)] = "1<2&3";
  v[static_cast<std::size_t>(RequestTemplate::Slot::MessageId)] = "m\"1";
  EXPECT_EQ(t.render(v), "<a>1&lt;2&amp;3</a><b>m&quot;1</b>");
  EXPECT_TRUE(t.uses(RequestTemplate::Slot::Bsn));
  EXPECT_FALSE(t.uses(RequestTemplate::Slot::Kenteken));
}

TEST_F(LoaderTest, CrossCheckFindsFieldsSourcesAndRolesThatDoNotExist) {
  Diagnostics d;
  std::string act = with(kActivity, "[voornamen]", "[voornamen, schoenmaat]");
  act += "      RDW: [kenteken]\n";
  Policy p;
  p.reg = load_register(write("r.yaml", std::string(kRegisterHead) + act), d);
  p.staff = load_staff(write("s.yaml", "roles: { andere: x }\nusers: {}\n"), d);
  write("mappings/brp.yaml", kMapping);
  p.mappings = load_mappings((dir / "mappings").string(), d);
  ASSERT_TRUE(p.staff && p.mappings) << all(d);
  ASSERT_FALSE(p.reg) << "RDW belongs to no organisation";
  p.reg = load_register(write("r2.yaml", std::string(kRegisterHead) + with(kActivity, "[voornamen]", "[voornamen, schoenmaat]")), d);
  ASSERT_TRUE(p.reg) << all(d);
  cross_check(p, {"BRP"}, d);
  const std::string out = all(d);
  EXPECT_NE(out.find("unknown role \"consulent\""), std::string::npos) << out;
  EXPECT_NE(out.find("no field \"schoenmaat\""), std::string::npos) << out;
  EXPECT_NE(out.find("source \"RDW\" belongs to no organisation"), std::string::npos) << out;
  EXPECT_NE(out.find("r.yaml:"), std::string::npos) << out;
}

TEST_F(LoaderTest, SourceOutsideTheEeaIsRefused) {
  Diagnostics d;
  std::string text = with(std::string(kRegisterHead) + kActivity, "country: NL", "country: US");
  EXPECT_FALSE(load_register(write("r.yaml", text), d));
  EXPECT_NE(all(d).find("r.yaml:9:30: error: organisation \"brp\": country \"US\" is outside the EEA"), std::string::npos) << all(d);
}

TEST_F(LoaderTest, SpecialCategoryWithoutItsOwnBasisIsAnError) {
  Diagnostics d;
  std::string text = with(std::string(kRegisterHead) + kActivity, "categories: [identificatie]", "categories: [identificatie, gezondheid]");
  EXPECT_FALSE(load_register(write("r.yaml", text), d));
  EXPECT_NE(all(d).find("special category \"gezondheid\" (AVG art. 9) needs an entry in special_categories"), std::string::npos) << all(d);
  d = {};
  text += "    special_categories:\n      - { category: gezondheid, basis: \"AVG art. 9 lid 2 sub b\", roles: [consulent] }\n";
  EXPECT_TRUE(load_register(write("r.yaml", text), d)) << all(d);
}

TEST_F(LoaderTest, SourceOfAnOrganisationNotReceivedFromIsAnError) {
  Diagnostics d;
  std::string text = with(std::string(kRegisterHead) + kActivity, "received_from: [brp]", "received_from: []");
  EXPECT_FALSE(load_register(write("r.yaml", text), d));
  EXPECT_NE(all(d).find("source \"BRP\" is run by \"brp\", which received_from does not name"), std::string::npos) << all(d);
}

TEST_F(LoaderTest, ProportionalityRulesAreReadAndChecked) {
  Diagnostics d;
  std::string text = std::string(kRegisterHead) + kActivity +
                     "    proportionality:\n      case_reference: optional\n      search_keys: [bsn, kenteken]\n"
                     "      max_subjects_per_user_per_day: 20\n      max_inquiries_per_user_per_hour: 60\n"
                     "      office_hours: \"mon-fri 07:30-18:00\"\n      break_glass: true\n";
  auto reg = load_register(write("r.yaml", text), d);
  ASSERT_TRUE(reg) << all(d);
  const Proportionality& p = reg->find("pw-a")->proportionality;
  EXPECT_FALSE(p.case_reference_required);
  EXPECT_EQ(p.search_keys, (std::set<SearchKey>{SearchKey::Bsn, SearchKey::Kenteken}));
  EXPECT_EQ(p.max_subjects_per_user_per_day, 20u);
  EXPECT_EQ(p.max_inquiries_per_user_per_hour, 60u);
  EXPECT_TRUE(p.office_hours.allows(4, 7 * 60 + 30));
  EXPECT_FALSE(p.office_hours.allows(5, 12 * 60));
  EXPECT_TRUE(p.break_glass);
  EXPECT_NE(all(d).find("warning: activity \"pw-a\": consults sources without requiring a case reference"), std::string::npos);
}

TEST_F(LoaderTest, MalformedProportionalityIsAnErrorWithPosition) {
  for (const char* bad : {"      office_hours: \"weekdays 9-5\"\n", "      search_keys: [vingerafdruk]\n",
                          "      caseload_binding: true\n      search_keys: [bsn, kenteken]\n",
                          "      max_inquiries_per_user_per_hour: -3\n"}) {
    Diagnostics d;
    EXPECT_FALSE(load_register(write("r.yaml", std::string(kRegisterHead) + kActivity + "    proportionality:\n" + bad), d)) << bad;
    EXPECT_NE(all(d).find("r.yaml:2"), std::string::npos) << all(d);
  }
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
