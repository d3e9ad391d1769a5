// The mapping files (mappings/*.yaml) against the simulator's answers: every field XPath must find, for
// known persons, exactly the values the population holds, and the request template must be answered.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <set>

#include "sim_test_util.h"

namespace doelpoort::sim {
namespace {

using testing::population;
using Values = std::vector<std::string>;
using Expected = std::map<std::string, Values>;

const std::set<std::string> kCategories{"identificatie", "woonsituatie", "medebewoners", "arbeid", "inkomen",
                                        "vermogen",      "opleiding",    "bedrijf",      "overig"};

struct Mapping {
  std::string file;
  YAML::Node root;
  std::map<std::string, std::string> namespaces;
  const Service* service = nullptr;

  std::string request(std::string_view bsn) const {
    std::string text = root["request"].as<std::string>();
    const auto replace = [&](const std::string& slot, std::string_view value) {
      for (auto at = text.find(slot); at != std::string::npos; at = text.find(slot, at + value.size()))
        text.replace(at, slot.size(), value);
    };
    replace("{{bsn}}", bsn);
    replace("{{message_id}}", "urn:uuid:mapping-test");
    replace("{{action}}", root["action"].as<std::string>());
    replace("{{to}}", "https://localhost/suwibroker/soap/" + std::string(service->name));
    return text;
  }
};

Mapping load(const std::string& name, const Service& service) {
  Mapping m;
  m.file = std::string(DOELPOORT_SOURCE_DIR) + "/mappings/" + name;
  m.root = YAML::LoadFile(m.file);
  for (const auto& kv : m.root["namespaces"]) m.namespaces[kv.first.as<std::string>()] = kv.second.as<std::string>();
  m.service = &service;
  return m;
}

const Mapping& brp_mapping() {
  static const Mapping m = load("brp-dossier-persoon.yaml", testing::brp());
  return m;
}
const Mapping& uwv_mapping() {
  static const Mapping m = load("uwv-dossier-inkomsten.yaml", testing::uwv());
  return m;
}

/// The registry's answer to the mapping's own request template.
std::string answer(const Mapping& m, std::string_view bsn) {
  static Stats stats;
  static const RequestHandler handler(population(), stats);
  const HttpReply reply = testing::post(handler, *m.service, m.request(bsn), m.root["action"].as<std::string>());
  return reply.body;
}

Values field_values(const Mapping& m, const std::string& body, const std::string& field) {
  const auto doc = testing::parse(body);
  if (!doc) return {"<not XML>"};
  return testing::xpath_values(doc.get(), m.namespaces, m.root["fields"][field]["xpath"].as<std::string>());
}

Values optional(const std::string& s) { return s.empty() ? Values{} : Values{s}; }

Expected expected_brp(const Person& p) {
  const Address& a = population().address_of(p);
  Expected e{
      {"bsn", {p.bsn}},
      {"voornamen", {p.voornamen}},
      {"voorvoegsel", optional(p.voorvoegsel)},
      {"geslachtsnaam", {p.geslachtsnaam}},
      {"geboortedatum", {p.geboortedatum.suwi()}},
      {"geslacht", {std::string(1, p.geslacht)}},
      {"geboorteplaats", {p.geboorteplaats}},
      {"geboorteland", {p.geboorteland_code}},
      {"nationaliteit", p.nationaliteiten},
      {"datum_overlijden", p.overlijden ? Values{p.overlijden->suwi()} : Values{}},
      {"adres_straat", {a.straat}},
      {"adres_huisnummer", {std::to_string(a.huisnummer)}},
      {"adres_huisletter", optional(a.huisletter)},
      {"adres_postcode", {a.postcode}},
      {"adres_woonplaats", {a.woonplaats}},
      {"adres_gemeente", {a.gemeente_code}},
      {"datum_inschrijving", {std::max(a.ingeschreven, p.geboortedatum).suwi()}},
  };
  for (const char* f : {"datum_huwelijk", "partner_bsn", "partner_voornamen", "partner_voorvoegsel",
                        "partner_geslachtsnaam", "partner_geboortedatum", "kind_bsn", "kind_voornamen",
                        "kind_geslachtsnaam", "kind_geboortedatum", "ouder_bsn"})
    e[f] = {};
  if (p.partner) {
    const Person& partner = population().at(*p.partner);
    e["datum_huwelijk"] = {p.huwelijksdatum.suwi()};
    e["partner_bsn"] = {partner.bsn};
    e["partner_voornamen"] = {partner.voornamen};
    e["partner_voorvoegsel"] = optional(partner.voorvoegsel);
    e["partner_geslachtsnaam"] = {partner.geslachtsnaam};
    e["partner_geboortedatum"] = {partner.geboortedatum.suwi()};
  }
  for (PersonIndex c : p.children) {
    const Person& child = population().at(c);
    e["kind_bsn"].push_back(child.bsn);
    e["kind_voornamen"].push_back(child.voornamen);
    e["kind_geslachtsnaam"].push_back(child.geslachtsnaam);
    e["kind_geboortedatum"].push_back(child.geboortedatum.suwi());
  }
  for (PersonIndex parent : p.parents) e["ouder_bsn"].push_back(population().at(parent).bsn);
  return e;
}

Expected expected_uwv(const Person& p) {
  Expected e{{"bsn", {p.bsn}}};
  for (const char* f : {"werkgever_naam", "loonheffingennummer", "ikv_datum_aanvang", "ikv_datum_einde",
                        "soort_inkomstenverhouding", "aantal_uren", "periode_datum_aanvang", "periode_datum_einde",
                        "loon_sv", "loon_lb", "loonheffing_ingehouden"})
    e[f] = {};
  for (const Employment& job : p.employments) {
    e["werkgever_naam"].push_back(population().employer_of(job).naam);
    e["loonheffingennummer"].push_back(population().employer_of(job).loonheffingennummer);
    e["ikv_datum_aanvang"].push_back(job.start.suwi());
    if (job.end) e["ikv_datum_einde"].push_back(job.end->suwi());
    e["soort_inkomstenverhouding"].push_back("11");
    for (const IncomePeriod& period : job.periods) {
      e["aantal_uren"].push_back(std::to_string(period.hours));
      e["periode_datum_aanvang"].push_back(period.begin.suwi());
      e["periode_datum_einde"].push_back(period.end.suwi());
      e["loon_sv"].push_back(std::to_string(period.loon_sv));
      e["loon_lb"].push_back(std::to_string(period.loon_lb));
      e["loonheffing_ingehouden"].push_back(std::to_string(period.ingehouden));
    }
  }
  return e;
}

const Person& first_person(const std::function<bool(const Person&)>& wanted) {
  for (const Person& p : population().persons())
    if (wanted(p)) return p;
  throw std::logic_error("no such person in the test population");
}

/// Every field of `m` evaluated on the answer about `p` equals `expected`; every field has an expectation.
void expect_fields(const Mapping& m, const Person& p, const Expected& expected) {
  const std::string body = answer(m, p.bsn);
  for (const auto& kv : m.root["fields"]) {
    const std::string field = kv.first.as<std::string>();
    const auto want = expected.find(field);
    ASSERT_NE(want, expected.end()) << m.file << ": field " << field << " has no expectation in this test";
    EXPECT_EQ(field_values(m, body, field), want->second) << m.file << ": field " << field << " for " << p.bsn;
  }
}

TEST(Mappings, UseExactlyTheLoadersKeysAndKnownCategories) {
  const std::set<std::string> required{"source", "action", "namespaces", "request", "fields"};
  const std::set<std::string> allowed{"source", "service", "action", "namespaces", "request", "not_found", "fault", "fields"};
  for (const Mapping* m : {&brp_mapping(), &uwv_mapping()}) {
    std::set<std::string> keys;
    for (const auto& kv : m->root) keys.insert(kv.first.as<std::string>());
    for (const auto& k : keys) EXPECT_TRUE(allowed.count(k)) << m->file << ": unknown key " << k;
    for (const auto& k : required) EXPECT_TRUE(keys.count(k)) << m->file << ": missing " << k;
    for (const auto& kv : m->root["fields"]) {
      std::set<std::string> field_keys;
      for (const auto& f : kv.second) field_keys.insert(f.first.as<std::string>());
      EXPECT_EQ(field_keys, (std::set<std::string>{"xpath", "category"})) << kv.first.as<std::string>();
      EXPECT_TRUE(kCategories.count(kv.second["category"].as<std::string>())) << kv.first.as<std::string>();
    }
  }
}

TEST(Mappings, NameTheServiceAndItsRequestAction) {
  EXPECT_EQ(brp_mapping().root["source"].as<std::string>(), "BRPDossierPersoon");
  EXPECT_EQ(uwv_mapping().root["source"].as<std::string>(), "UWVDossierInkomsten");
  for (const Mapping* m : {&brp_mapping(), &uwv_mapping()}) {
    EXPECT_EQ(m->root["service"].as<std::string>(), m->service->name);
    EXPECT_EQ(m->root["action"].as<std::string>(), m->service->request_action);
    EXPECT_EQ(m->namespaces.at("smls"), m->service->ns);
  }
}

TEST(Mappings, DefineEveryRequiredCanonicalField) {
  for (const char* f : {"bsn", "voornamen", "voorvoegsel", "geslachtsnaam", "geboortedatum", "geslacht", "geboorteplaats",
                        "nationaliteit", "adres_straat", "adres_huisnummer", "adres_postcode", "adres_woonplaats",
                        "adres_gemeente", "datum_overlijden", "partner_bsn", "partner_geslachtsnaam", "kind_bsn",
                        "kind_voornamen", "kind_geboortedatum"})
    EXPECT_TRUE(brp_mapping().root["fields"][f]) << f;
  for (const char* f : {"bsn", "werkgever_naam", "loonheffingennummer", "ikv_datum_aanvang", "ikv_datum_einde",
                        "periode_datum_aanvang", "periode_datum_einde", "loon_sv", "loon_lb", "aantal_uren"})
    EXPECT_TRUE(uwv_mapping().root["fields"][f]) << f;
}

TEST(BrpMapping, FindsEveryFieldOfAParentWithPartnerAndChildren) {
  const Person& p = first_person([](const Person& x) { return x.partner && x.children.size() >= 2; });
  expect_fields(brp_mapping(), p, expected_brp(p));
  EXPECT_EQ(field_values(brp_mapping(), answer(brp_mapping(), p.bsn), "kind_bsn").size(), p.children.size());
}

TEST(BrpMapping, FindsTheFieldsOfAChildADeceasedPersonAndAHouseLetter) {
  const Person& child = first_person([](const Person& x) { return x.parents.size() == 2; });
  expect_fields(brp_mapping(), child, expected_brp(child));
  const Person& deceased = first_person([](const Person& x) { return x.overlijden.has_value(); });
  expect_fields(brp_mapping(), deceased, expected_brp(deceased));
  const Person& lettered = first_person([](const Person& x) { return !population().address_of(x).huisletter.empty(); });
  expect_fields(brp_mapping(), lettered, expected_brp(lettered));
  const Person& foreign = first_person([](const Person& x) { return x.nationaliteiten.size() > 1; });
  expect_fields(brp_mapping(), foreign, expected_brp(foreign));
}

TEST(UwvMapping, FindsEveryFieldOfEveryIncomeRelationship) {
  const Person& two_jobs = first_person([](const Person& x) { return x.employments.size() == 2; });
  expect_fields(uwv_mapping(), two_jobs, expected_uwv(two_jobs));
  const Person& one_job = first_person([](const Person& x) { return x.employments.size() == 1; });
  expect_fields(uwv_mapping(), one_job, expected_uwv(one_job));
}

TEST(Mappings, NotFoundXPathMatchesOnlyTheNietsGevondenAnswer) {
  const std::string absent = population().absent_bsns(1)[0];
  const Person& earner = first_person([](const Person& x) { return x.has_income(); });
  for (const Mapping* m : {&brp_mapping(), &uwv_mapping()}) {
    const std::string not_found = m->root["not_found"].as<std::string>();
    const auto none = testing::parse(answer(*m, absent));
    const auto some = testing::parse(answer(*m, earner.bsn));
    ASSERT_TRUE(none && some);
    EXPECT_EQ(testing::xpath_values(none.get(), m->namespaces, not_found).size(), 1u) << m->file;
    EXPECT_EQ(testing::xpath_values(some.get(), m->namespaces, not_found).size(), 0u) << m->file;
    for (const auto& kv : m->root["fields"])  // nothing is found in a NietsGevonden answer
      EXPECT_TRUE(testing::xpath_values(none.get(), m->namespaces, kv.second["xpath"].as<std::string>()).empty());
  }
}

TEST(Mappings, FaultXPathMatchesTheFoutWithItsCodeAndTekst) {
  for (const Mapping* m : {&brp_mapping(), &uwv_mapping()}) {
    const std::string fault = m->root["fault"].as<std::string>();
    const auto refused = testing::parse(answer(*m, "123456789"));  // fails the 11-proef
    const auto answered = testing::parse(answer(*m, population().absent_bsns(1)[0]));
    ASSERT_TRUE(refused && answered);
    EXPECT_EQ(testing::xpath_values(refused.get(), m->namespaces, fault + "/Code"), Values{"SIM-006"}) << m->file;
    EXPECT_EQ(testing::xpath_values(refused.get(), m->namespaces, fault + "/Tekst"), Values{"Burgerservicenr is ongeldig"});
    EXPECT_TRUE(testing::xpath_values(answered.get(), m->namespaces, fault).empty()) << m->file;
  }
}

}  // namespace
}  // namespace doelpoort::sim
