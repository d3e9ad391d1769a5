// The mapping files (mappings/*.yaml), loaded by the gateway's own loader, against the simulator's
// answers: the request templates must be answered, and every field XPath must find, for known persons,
// exactly the values the population holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>

#include "mapping.h"
#include "sim_test_util.h"

namespace doelpoort::sim {
namespace {

using testing::population;
using Values = std::vector<std::string>;
using Expected = std::map<std::string, Values>;

const MappingSet& mappings() {
  static const std::shared_ptr<const MappingSet> kSet = [] {
    Diagnostics diags;
    auto set = load_mappings(std::string(DOELPOORT_SOURCE_DIR) + "/mappings", diags);
    for (const auto& d : diags.all()) ADD_FAILURE() << d.to_string();
    return set;
  }();
  if (!kSet) throw std::runtime_error("mappings/ did not load");
  return *kSet;
}

const Mapping& brp_mapping() { return mappings().at("BRPDossierPersoon"); }
const Mapping& uwv_mapping() { return mappings().at("UWVDossierInkomsten"); }

const Service& service_of(const Mapping& m) { return &m == &brp_mapping() ? testing::brp() : testing::uwv(); }

/// The registry's answer to the mapping's own BSN request, sent as the gateway sends it.
std::string answer(const Mapping& m, std::string_view bsn) {
  static Stats stats;
  static const RequestHandler handler(population(), stats);
  const SourceRequest* request = m.request_for(SearchKey::Bsn);
  if (request == nullptr) return "<no bsn request>";
  const std::string to = "https://localhost/suwibroker/soap/" + std::string(service_of(m).name);
  RequestTemplate::Values values{};
  values[static_cast<std::size_t>(RequestTemplate::Slot::MessageId)] = "urn:uuid:mapping-test";
  values[static_cast<std::size_t>(RequestTemplate::Slot::Action)] = request->action;
  values[static_cast<std::size_t>(RequestTemplate::Slot::To)] = to;
  values[static_cast<std::size_t>(RequestTemplate::Slot::Bsn)] = bsn;
  return testing::post(handler, service_of(m), request->body.render(values), request->action).body;
}

Values values_at(const Mapping& m, const std::string& body, const std::string& xpath) {
  const auto doc = testing::parse(body);
  if (!doc) return {"<not XML>"};
  return testing::xpath_values(doc.get(), m.namespaces, xpath);
}

Values field_values(const Mapping& m, const std::string& body, const std::string& field) {
  return values_at(m, body, m.fields.at(field).xpath);
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
  for (const auto& [field, mapped] : m.fields) {
    const auto want = expected.find(field);
    ASSERT_NE(want, expected.end()) << m.file << ": field " << field << " has no expectation in this test";
    EXPECT_EQ(field_values(m, body, field), want->second) << m.file << ": field " << field << " for " << p.bsn;
  }
  if (!m.subject_bsn.empty()) {
    EXPECT_EQ(values_at(m, body, m.subject_bsn), Values{p.bsn}) << m.file << ": subject_bsn";
  }
}

TEST(Mappings, LoadWithTheGatewaysLoader) {
  EXPECT_EQ(mappings().size(), 2u);
  EXPECT_TRUE(mappings().count("BRPDossierPersoon"));
  EXPECT_TRUE(mappings().count("UWVDossierInkomsten"));
}

TEST(Mappings, PutEveryFieldInAKnownCategory) {
  const std::set<std::string> categories{"identificatie", "woonsituatie", "medebewoners", "arbeid", "inkomen",
                                         "vermogen",      "opleiding",    "bedrijf",      "overig"};
  for (const Mapping* m : {&brp_mapping(), &uwv_mapping()})
    for (const auto& [field, mapped] : m->fields) EXPECT_TRUE(categories.count(mapped.category)) << mapped.where;
}

TEST(Mappings, AskTheServiceWithItsRequestAction) {
  for (const Mapping* m : {&brp_mapping(), &uwv_mapping()}) {
    EXPECT_EQ(m->service, service_of(*m).name);
    const SourceRequest* request = m->request_for(SearchKey::Bsn);
    ASSERT_NE(request, nullptr) << m->file;
    EXPECT_EQ(request->action, service_of(*m).request_action);
    EXPECT_EQ(m->namespaces.at("smls"), service_of(*m).ns);
  }
}

TEST(Mappings, DefineEveryRequiredCanonicalField) {
  for (const char* f : {"bsn", "voornamen", "voorvoegsel", "geslachtsnaam", "geboortedatum", "geslacht", "geboorteplaats",
                        "nationaliteit", "adres_straat", "adres_huisnummer", "adres_postcode", "adres_woonplaats",
                        "adres_gemeente", "datum_overlijden", "partner_bsn", "partner_geslachtsnaam", "kind_bsn",
                        "kind_voornamen", "kind_geboortedatum"})
    EXPECT_TRUE(brp_mapping().fields.count(f)) << f;
  for (const char* f : {"bsn", "werkgever_naam", "loonheffingennummer", "ikv_datum_aanvang", "ikv_datum_einde",
                        "periode_datum_aanvang", "periode_datum_einde", "loon_sv", "loon_lb", "aantal_uren"})
    EXPECT_TRUE(uwv_mapping().fields.count(f)) << f;
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
    const std::string none = answer(*m, absent);
    const std::string some = answer(*m, earner.bsn);
    EXPECT_EQ(values_at(*m, none, m->not_found).size(), 1u) << m->file;
    EXPECT_EQ(values_at(*m, some, m->not_found).size(), 0u) << m->file;
    for (const auto& [field, mapped] : m->fields)  // nothing is found in a NietsGevonden answer
      EXPECT_TRUE(values_at(*m, none, mapped.xpath).empty()) << field;
  }
}

TEST(Mappings, FaultXPathMatchesTheFoutWithItsCodeAndTekst) {
  for (const Mapping* m : {&brp_mapping(), &uwv_mapping()}) {
    const std::string refused = answer(*m, "123456789");  // fails the 11-proef
    const std::string answered = answer(*m, population().absent_bsns(1)[0]);
    EXPECT_EQ(values_at(*m, refused, m->fault + "/Code"), Values{"SIM-006"}) << m->file;
    EXPECT_EQ(values_at(*m, refused, m->fault + "/Tekst"), Values{"Burgerservicenr is ongeldig"});
    EXPECT_TRUE(values_at(*m, answered, m->fault).empty()) << m->file;
  }
}

}  // namespace
}  // namespace doelpoort::sim
