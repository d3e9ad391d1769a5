// The data-subject access answer (`doelpoort audit query`) on small hand-written logs in the documented
// record schema (audit_reader.h): whom it finds, what it hides, what it never says.
#include "audit_query.h"

#include <gtest/gtest.h>

#include "pseudonym.h"
#include "test_dir.h"

namespace doelpoort::testing {
namespace {

// A register of two ordinary activities and a confidential one (90 days), with names a browser must not run.
constexpr const char* kRegister = R"yaml(
register:
  version: "t-7"
  organisation: "Werkplein <Test> & Co"
  controller: College van burgemeester en wethouders van Testgemeente
  contact: privacy@werkplein-test.example
categories:
  identificatie: { name: Identificatiegegevens }
  inkomen: { name: "Inkomen <b>vet</b>" }
  strafrechtelijk: { name: Strafrechtelijke gegevens, special: "art. 10" }
organisations:
  brp: { name: "Basisregistratie Personen (BRP)", country: NL, services: [BRPDossierPersoon] }
  uwv: { name: "UWV \"Inkomsten\"", country: NL, services: [UWVDossierInkomsten] }
activities:
  - id: pw-recht
    version: "4"
    name: "Vaststellen recht op bijstand <script>alert(1)</script>"
    purpose: "Beoordelen of iemand recht heeft op bijstand <img src=x onerror=alert(2)>."
    legal_basis: { ground: "AVG art. 6 lid 1 sub c", law: "Participatiewet art. 11" }
    retention: 10 jaar
    categories: [identificatie, inkomen]
    received_from: [brp, uwv]
    roles: [inkomensconsulent]
    sources: { BRPDossierPersoon: [voornamen], UWVDossierInkomsten: [loon_sv] }
  - id: pw-terugvordering
    version: "1"
    name: Terugvorderen van bijstand
    purpose: Terugvorderen wat te veel is betaald.
    legal_basis: { ground: "AVG art. 6 lid 1 sub c", law: "Participatiewet art. 58" }
    retention: 7 jaar
    categories: [identificatie, inkomen]
    received_from: [brp, uwv]
    roles: [terugvorderaar]
    sources: { BRPDossierPersoon: [voornamen], UWVDossierInkomsten: [loon_sv] }
  - id: pw-fraude
    version: "2"
    name: Onderzoek naar rechtmatigheid
    purpose: Onderzoeken of bijstand rechtmatig is verstrekt.
    legal_basis: { ground: "AVG art. 6 lid 1 sub e", law: "Participatiewet art. 53a" }
    retention: 5 jaar
    categories: [identificatie, inkomen, strafrechtelijk]
    special_categories:
      - { category: strafrechtelijk, basis: "UAVG art. 33", roles: [sociaal-rechercheur] }
    received_from: [brp, uwv]
    confidentiality: { reason: Lopend onderzoek, period_days: 90 }
    roles: [sociaal-rechercheur]
    sources: { BRPDossierPersoon: [voornamen], UWVDossierInkomsten: [loon_sv] }
)yaml";

const Pseudonymiser& keyed() {
  static const Pseudonymiser p(std::array<unsigned char, 32>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  return p;
}
const std::string kAlice = keyed().pseudonym("111222333");
const std::string kBob = keyed().pseudonym("123456782");

// One inquiry as the gateway records it: a decision, and for a permitted one (unless `outcome` is false) an
// outcome right after it.
struct Inquiry {
  std::string id;
  std::string time;
  std::string subject;
  std::string activity = "pw-recht";
  std::string source = "BRPDossierPersoon";
  std::string decision = "permit";
  std::string code = "OK";  // the final code
  std::string user = "u1001";
  std::string case_reference = "Z-2026-001";
  std::string search_key = "bsn";
  std::string confidential_until;
  std::vector<std::string> categories_requested{"identificatie"};
  bool outcome = true;
  std::string found = "yes";
  std::vector<std::string> categories_returned{"identificatie"};
  std::string outcome_subject;  // default: the decision's
};

std::string jsonl(const std::vector<Inquiry>& inquiries) {
  std::string out;
  for (const auto& q : inquiries) {
    nlohmann::json d = {{"kind", "decision"}, {"time", q.time}, {"inquiry_id", q.id}, {"message_id", "urn:uuid:m-" + q.id},
                        {"application", "zaaksysteem"}, {"client_cn", "zaaksysteem.test"}, {"user", q.user},
                        {"activity", q.activity}, {"activity_version", "4"}, {"register_version", "t-7"},
                        {"purpose", "recorded purpose"}, {"legal_basis", "AVG art. 6 lid 1 sub c; Participatiewet art. 11"},
                        {"case_reference", q.case_reference}, {"source", q.source}, {"search_key", q.search_key},
                        {"subject", q.subject}, {"fields_requested", {"voornamen"}},
                        {"categories_requested", q.categories_requested}, {"decision", q.decision},
                        {"decision_code", q.decision == "permit" ? "OK" : q.code}, {"message", ""},
                        {"break_glass", false}, {"reason", "reden-" + q.id},
                        {"trace_id", "0af7651916cd43dd8448eb211c80319c"}, {"span_id", "b7ad6b7169203331"},
                        {"seq", 1}, {"prev", std::string(64, '0')}, {"hash", std::string(64, 'a')}};
    if (q.decision != "permit") d["code"] = q.code;
    if (!q.confidential_until.empty()) d["confidential_until"] = q.confidential_until;
    out += d.dump() + "\n";
    if (q.decision == "permit" && q.outcome) {
      nlohmann::json o = {{"kind", "outcome"}, {"time", q.time}, {"inquiry_id", q.id}, {"code", q.code}, {"message", ""},
                          {"fields_returned", q.found == "yes" ? nlohmann::json{"voornamen"} : nlohmann::json::array()},
                          {"fields_withheld", nlohmann::json::array()},
                          {"categories_returned", q.found == "yes" ? nlohmann::json(q.categories_returned) : nlohmann::json::array()},
                          {"upstream_status", 200}, {"found", q.found}, {"duration_us", 1200},
                          {"subject", q.outcome_subject.empty() ? q.subject : q.outcome_subject}};
      out += o.dump() + "\n";
    }
  }
  return out;
}

class AuditQuery : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diags;
    reg_ = load_register(dir_.write("register.yaml", kRegister), diags);
    ASSERT_TRUE(reg_) << diags.first_error();
    std::filesystem::create_directories(dir_.file("audit"));
  }
  void log(const std::vector<Inquiry>& inquiries) { dir_.write("audit/segment-000000000001.jsonl", jsonl(inquiries)); }
  AccessAnswer answer(const std::string& subject, const std::string& as_of = "2026-06-01", AuditPeriod period = {}) {
    AccessRequest request;
    request.subject = subject;
    request.as_of = as_of;
    request.period = period;
    AccessAnswer a;
    std::string error;
    EXPECT_TRUE(answer_access_request({dir_.file("audit")}, *reg_, request, a, error)) << error;
    return a;
  }

  TestDir dir_;
  std::shared_ptr<const Register> reg_;
};

TEST_F(AuditQuery, FindsOnlyThatSubjectsInquiries) {
  Inquiry by_search{"q3", "2026-03-04T08:00:00Z", keyed().pseudonym("search\x1fJansen\x1f" "19800101\x1f\x1f\x1f")};
  by_search.search_key = "naam_geboortedatum";
  by_search.outcome_subject = kAlice;  // the registry found Alice
  by_search.source = "UWVDossierInkomsten";
  by_search.categories_returned = {"inkomen"};
  log({{"q1", "2026-03-02T09:15:00.123456Z", kAlice},
       {"q2", "2026-03-03T10:00:00Z", kBob, "pw-terugvordering", "UWVDossierInkomsten"},
       by_search});
  const AccessAnswer a = answer(kAlice);
  ASSERT_EQ(a.provided.size(), 2u);
  EXPECT_EQ(a.provided[0].time.iso, "2026-03-02T10:15:00+01:00");  // Europe/Amsterdam, winter time
  EXPECT_EQ(a.provided[0].organisation, "Basisregistratie Personen (BRP)");
  EXPECT_EQ(a.provided[0].activity_id, "pw-recht");
  ASSERT_EQ(a.provided[0].categories.size(), 1u);
  EXPECT_EQ(a.provided[0].categories[0].name, "Identificatiegegevens");
  EXPECT_EQ(a.provided[0].legal_basis, "AVG art. 6 lid 1 sub c; Participatiewet art. 11");  // as recorded
  EXPECT_EQ(a.provided[1].organisation, "UWV \"Inkomsten\"");
  EXPECT_EQ(a.provided[1].categories[0].id, "inkomen");
  EXPECT_EQ(a.refused + a.without_data, 0u);

  const AccessAnswer b = answer(kBob);
  ASSERT_EQ(b.provided.size(), 1u);
  EXPECT_EQ(b.provided[0].activity_name, "Terugvorderen van bijstand");
  EXPECT_TRUE(answer(keyed().pseudonym("999999990")).provided.empty());
}

TEST_F(AuditQuery, TakesCategoriesRequestedWhenNoneWereRecordedAsReturned) {
  Inquiry q{"q1", "2026-03-02T09:15:00Z", kAlice};
  q.categories_returned = {};
  q.categories_requested = {"identificatie", "inkomen"};
  log({q});
  const AccessAnswer a = answer(kAlice);
  ASSERT_EQ(a.provided.size(), 1u);
  ASSERT_EQ(a.provided[0].categories.size(), 2u);
  EXPECT_EQ(a.provided[0].categories[1].name, "Inkomen <b>vet</b>");
}

TEST_F(AuditQuery, HidesConfidentialInquiriesUntilTheirDateAndShowsThemAfter) {
  Inquiry fraud{"q2", "2026-03-05T12:00:00Z", kAlice, "pw-fraude", "UWVDossierInkomsten"};
  fraud.confidential_until = "2026-09-01";
  fraud.categories_returned = {"strafrechtelijk"};
  Inquiry fraud_refused{"q3", "2026-03-06T12:00:00Z", kAlice, "pw-fraude", "BRPDossierPersoon", "deny", "FIELD_NOT_PERMITTED"};
  fraud_refused.confidential_until = "2026-09-02";
  log({{"q1", "2026-03-02T09:15:00Z", kAlice}, fraud, fraud_refused});

  for (const std::string as_of : {"2026-06-01", "2026-08-31"}) {
    SCOPED_TRACE(as_of);
    const AccessAnswer a = answer(kAlice, as_of);
    ASSERT_EQ(a.provided.size(), 1u);
    EXPECT_EQ(a.provided[0].activity_id, "pw-recht");
    EXPECT_EQ(a.refused, 0u) << "a refused confidential inquiry is not counted either";
    const std::string json = access_answer_json(a).dump(), html = render_access_letter_html(a);
    for (const std::string hint : {"pw-fraude", "Onderzoek naar rechtmatigheid", "Strafrechtelijke", "vertrouwelijk",
                                   "Lopend onderzoek"}) {
      EXPECT_EQ(json.find(hint), std::string::npos) << hint;
      EXPECT_EQ(html.find(hint), std::string::npos) << hint;
    }
  }
  const AccessAnswer after = answer(kAlice, "2026-09-01");
  ASSERT_EQ(after.provided.size(), 2u);
  EXPECT_EQ(after.provided[1].activity_name, "Onderzoek naar rechtmatigheid");
  EXPECT_EQ(after.provided[1].categories[0].special, "art. 10");
  EXPECT_EQ(after.refused, 0u) << "the refused one is confidential one day longer";
  EXPECT_EQ(answer(kAlice, "2026-09-02").refused, 1u);
  const std::string html = render_access_letter_html(after);
  EXPECT_NE(html.find("bijzonder persoonsgegeven (AVG art. 10)"), std::string::npos);
}

TEST_F(AuditQuery, KeepsConfidentialInquiriesHiddenForTheRegistersPeriodWhenTheRecordSaysLess) {
  Inquiry fraud{"q1", "2026-03-05T12:00:00Z", kAlice, "pw-fraude"};  // no confidential_until recorded
  log({fraud});
  EXPECT_TRUE(answer(kAlice, "2026-06-02").provided.empty());  // 2026-03-05 + 90 days = 2026-06-03
  EXPECT_EQ(answer(kAlice, "2026-06-03").provided.size(), 1u);
}

TEST_F(AuditQuery, ExcludesDeniedInquiriesFromTheLetterButCountsThemAsRefused) {
  Inquiry refused{"q2", "2026-03-03T10:00:00Z", kAlice, "pw-terugvordering", "UWVDossierInkomsten", "deny", "ROLE_NOT_AUTHORISED"};
  Inquiry not_found{"q3", "2026-03-04T10:00:00Z", kAlice};
  not_found.found = "no";
  Inquiry failed{"q4", "2026-03-04T11:00:00Z", kAlice};
  failed.code = "UPSTREAM_UNAVAILABLE";
  failed.found = "";
  Inquiry incomplete{"q5", "2026-03-04T12:00:00Z", kAlice};
  incomplete.outcome = false;
  log({{"q1", "2026-03-02T09:15:00Z", kAlice}, refused, not_found, failed, incomplete});
  const AccessAnswer a = answer(kAlice);
  ASSERT_EQ(a.provided.size(), 1u);
  EXPECT_EQ(a.refused, 1u);
  EXPECT_EQ(a.without_data, 3u);
  const nlohmann::json json = access_answer_json(a);
  EXPECT_EQ(json["counts"], (nlohmann::json{{"provided", 1}, {"without_data", 3}, {"refused", 1}}));
  EXPECT_EQ(json["inquiries"].size(), 1u);
  const std::string html = render_access_letter_html(a);
  EXPECT_EQ(html.find("Terugvorderen"), std::string::npos);
  EXPECT_EQ(html.find("ROLE_NOT_AUTHORISED"), std::string::npos);
  EXPECT_NE(html.find("1 keer gegevens over u ontvangen"), std::string::npos);
}

TEST_F(AuditQuery, NeverOutputsUserIdsCaseReferencesOrFieldNames) {
  Inquiry q{"inq-7f3a", "2026-03-02T09:15:00Z", kAlice};
  q.user = "u-secret-4711";
  q.case_reference = "ZAAK-SECRET-99";
  Inquiry refused = q;
  refused.id = "inq-8b21";
  refused.decision = "deny";
  refused.code = "CASE_REQUIRED";
  log({q, refused});
  const AccessAnswer a = answer(kAlice);
  ASSERT_EQ(a.provided.size(), 1u);
  const std::string json = access_answer_json(a).dump(), html = render_access_letter_html(a);
  for (const std::string& secret : std::vector<std::string>{"u-secret-4711", "ZAAK-SECRET-99", "inq-7f3a", "inq-8b21",
                                                            "reden-", "zaaksysteem", "urn:uuid", "voornamen", kAlice,
                                                            "0af7651916cd43dd"}) {
    EXPECT_EQ(json.find(secret), std::string::npos) << secret;
    EXPECT_EQ(html.find(secret), std::string::npos) << secret;
  }
}

TEST_F(AuditQuery, EscapesEveryTextInTheHtmlLetter) {
  log({{"q1", "2026-03-02T09:15:00Z", kAlice, "pw-recht", "UWVDossierInkomsten"}});
  AccessAnswer a = answer(kAlice);
  a.provided[0].categories.push_back({"inkomen", "Inkomen <b>vet</b>", ""});
  const std::string html = render_access_letter_html(a);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"nl\">", 0), 0u);
  EXPECT_NE(html.find("Inzage in de verwerking van uw persoonsgegevens"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("Vaststellen recht op bijstand &lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(html.find("Werkplein &lt;Test&gt; &amp; Co"), std::string::npos);
  EXPECT_NE(html.find("UWV &quot;Inkomsten&quot;"), std::string::npos);
  EXPECT_NE(html.find("Autoriteit Persoonsgegevens"), std::string::npos);
  EXPECT_NE(html.find("mailto:privacy@werkplein-test.example"), std::string::npos);
  EXPECT_EQ(html.find("src=\""), std::string::npos) << "one self-contained file";
  EXPECT_EQ(html.find("<link"), std::string::npos) << "one self-contained file";
}

TEST_F(AuditQuery, SelectsThePeriodByLocalDate) {
  log({{"q1", "2026-03-31T21:30:00Z", kAlice},    // 23:30 in Amsterdam: 31 March
       {"q2", "2026-03-31T22:30:00Z", kAlice}});  // 00:30 in Amsterdam: 1 April
  const AccessAnswer march = answer(kAlice, "2026-06-01", {"2026-03-01", "2026-03-31"});
  ASSERT_EQ(march.provided.size(), 1u);
  EXPECT_EQ(march.provided[0].time.iso, "2026-03-31T23:30:00+02:00");
  const AccessAnswer april = answer(kAlice, "2026-06-01", {"2026-04-01", ""});
  ASSERT_EQ(april.provided.size(), 1u);
  EXPECT_EQ(april.provided[0].time.date, "2026-04-01");
  EXPECT_EQ(access_answer_json(april)["period"], (nlohmann::json{{"from", "2026-04-01"}, {"to", nullptr}}));
}

TEST(AuditRecordTime, ParsesTheWritersTimesAndRejectsOthers) {
  std::time_t t = 0;
  ASSERT_TRUE(parse_record_time("2026-03-29T01:30:00.123456Z", t));
  EXPECT_EQ(t, 1774747800);
  ASSERT_TRUE(parse_record_time("2026-03-29T03:30:00+02:00", t));
  EXPECT_EQ(t, 1774747800);
  EXPECT_FALSE(parse_record_time("2026-03-29 01:30:00", t));
  EXPECT_FALSE(parse_record_time("2026-03-29T01:30:00", t));
  EXPECT_FALSE(parse_record_time("yesterday", t));
  EXPECT_TRUE(is_iso_date("2028-02-29"));
  EXPECT_FALSE(is_iso_date("2026-02-29"));
  EXPECT_FALSE(is_iso_date("2026-13-01"));
  EXPECT_EQ(add_days("2026-03-05", 90), "2026-06-03");
}

}  // namespace
}  // namespace doelpoort::testing
