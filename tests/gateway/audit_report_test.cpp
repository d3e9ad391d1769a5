// The privacy officer's usage report (`doelpoort audit report`): its counts on small hand-written logs in the
// documented record schema (audit_reader.h), local time in the configured zone, and the escaped page.
#include "audit_report.h"

#include <gtest/gtest.h>

#include "test_dir.h"

namespace doelpoort::testing {
namespace {

constexpr const char* kRegister = R"yaml(
register:
  version: "t-3"
  organisation: Werkplein Test
  controller: College van B en W
categories:
  identificatie: { name: Identificatiegegevens }
organisations:
  brp: { name: "Basisregistratie Personen (BRP)", country: NL, services: [BRPDossierPersoon] }
  uwv: { name: "UWV <Inkomsten>", country: NL, services: [UWVDossierInkomsten] }
activities:
  - id: pw-recht
    version: "4"
    name: "Recht op bijstand <script>alert('x')</script>"
    purpose: Beoordelen of iemand recht heeft op bijstand.
    legal_basis: { ground: "AVG art. 6 lid 1 sub c", law: "Participatiewet art. 11" }
    retention: 10 jaar
    categories: [identificatie]
    received_from: [brp, uwv]
    roles: [inkomensconsulent]
    sources: { BRPDossierPersoon: [voornamen], UWVDossierInkomsten: [loon_sv] }
  - id: pw-terug
    version: "1"
    name: Terugvorderen
    purpose: Terugvorderen wat te veel is betaald.
    legal_basis: { ground: "AVG art. 6 lid 1 sub c", law: "Participatiewet art. 58" }
    retention: 7 jaar
    categories: [identificatie]
    received_from: [brp, uwv]
    roles: [terugvorderaar]
    sources: { BRPDossierPersoon: [voornamen], UWVDossierInkomsten: [loon_sv] }
)yaml";

struct Inquiry {
  std::string id;
  std::string time;
  std::string user;
  std::string activity;
  std::string source;
  std::string subject;
  std::string decision = "permit";
  std::string code = "OK";
  bool break_glass = false;
  std::string reason;
  std::string case_reference = "Z-1";
  std::string search_key = "bsn";
  bool outcome = true;
  std::string outcome_subject;  // default: the decision's
};

std::string jsonl(const std::vector<Inquiry>& inquiries) {
  std::string out;
  for (const auto& q : inquiries) {
    nlohmann::json d = {{"kind", "decision"}, {"time", q.time}, {"inquiry_id", q.id}, {"user", q.user},
                        {"activity", q.activity}, {"case_reference", q.case_reference}, {"source", q.source},
                        {"search_key", q.search_key}, {"subject", q.subject}, {"decision", q.decision},
                        {"break_glass", q.break_glass}, {"reason", q.reason}, {"categories_requested", {"identificatie"}}};
    if (q.decision != "permit") d["code"] = q.code;
    out += d.dump() + "\n";
    if (q.decision == "permit" && q.outcome)
      out += nlohmann::json{{"kind", "outcome"}, {"time", q.time}, {"inquiry_id", q.id}, {"code", q.code},
                            {"found", q.code == "OK" ? "yes" : ""},
                            {"subject", q.outcome_subject.empty() ? q.subject : q.outcome_subject}}
                 .dump() + "\n";
  }
  return out;
}

class AuditReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diags;
    reg_ = load_register(dir_.write("register.yaml", kRegister), diags);
    ASSERT_TRUE(reg_) << diags.first_error();
    std::filesystem::create_directories(dir_.file("audit"));
  }
  AuditReport report(const std::vector<Inquiry>& inquiries, const std::string& zone = "Europe/Amsterdam",
                     AuditPeriod period = {}) {
    dir_.write("audit/segment-000000000001.jsonl", jsonl(inquiries));
    ReportOptions options;
    options.timezone = zone;
    options.period = period;
    AuditReport r;
    std::string error;
    EXPECT_TRUE(build_audit_report({dir_.file("audit")}, reg_.get(), options, r, error)) << error;
    return r;
  }

  TestDir dir_;
  std::shared_ptr<const Register> reg_;
};

const ReportCount* find(const std::vector<ReportCount>& rows, const std::string& key) {
  for (const auto& r : rows)
    if (r.key == key) return &r;
  return nullptr;
}

// Eight inquiries over four days in March 2026 (winter time: UTC+1), three users, four persons.
std::vector<Inquiry> small_log() {
  return {
      {"q1", "2026-03-02T09:00:00Z", "u1", "pw-recht", "BRPDossierPersoon", "A"},
      {"q2", "2026-03-02T10:00:00Z", "u1", "pw-recht", "UWVDossierInkomsten", "B"},
      {"q3", "2026-03-02T11:00:00Z", "u2", "pw-recht", "BRPDossierPersoon", "A", "deny", "FIELD_NOT_PERMITTED"},
      {"q4", "2026-03-03T09:00:00Z", "u2", "pw-terug", "BRPDossierPersoon", "A"},
      {"q5", "2026-03-05T09:00:00Z", "u2", "pw-terug", "UWVDossierInkomsten", "C", "deny", "ROLE_NOT_AUTHORISED"},
      {"q6", "2026-03-05T09:30:00Z", "u3", "pw-terug", "UWVDossierInkomsten", "C", "deny", "ROLE_NOT_AUTHORISED"},
      {"q7", "2026-03-05T10:00:00Z", "u1", "pw-recht", "UWVDossierInkomsten", "B", "permit", "UPSTREAM_UNAVAILABLE"},
      {"q8", "2026-03-05T11:00:00Z", "u1", "pw-recht", "BRPDossierPersoon", "D"},
  };
}

TEST_F(AuditReportTest, CountsPerActivitySourceDayAndCodeOnASmallLog) {
  const AuditReport r = report(small_log());
  EXPECT_EQ(r.inquiries, 8u);
  EXPECT_EQ(r.permitted, 5u);
  EXPECT_EQ(r.denied, 3u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.incomplete, 0u);
  EXPECT_EQ(r.subjects, 4u);
  EXPECT_EQ(r.users, 3u);
  EXPECT_EQ(r.organisation, "Werkplein Test");

  ASSERT_EQ(r.per_activity.size(), 2u);
  EXPECT_EQ(r.per_activity[0].key, "pw-recht");  // most first
  EXPECT_EQ(r.per_activity[0].label, "Recht op bijstand <script>alert('x')</script>");
  EXPECT_EQ(r.per_activity[0].inquiries, 5u);
  EXPECT_EQ(r.per_activity[0].denied, 1u);
  EXPECT_EQ(r.per_activity[1].inquiries, 3u);
  EXPECT_EQ(r.per_activity[1].denied, 2u);

  ASSERT_EQ(r.per_source.size(), 2u);
  const ReportCount* uwv = find(r.per_source, "UWVDossierInkomsten");
  ASSERT_NE(uwv, nullptr);
  EXPECT_EQ(uwv->label, "UWV <Inkomsten>");
  EXPECT_EQ(uwv->inquiries, 4u);
  EXPECT_EQ(uwv->denied, 2u);
  EXPECT_EQ(find(r.per_source, "BRPDossierPersoon")->inquiries, 4u);

  ASSERT_EQ(r.per_day.size(), 4u) << "2 to 5 March, the quiet 4th included";
  EXPECT_EQ(r.per_day[0].key, "2026-03-02");
  EXPECT_EQ(r.per_day[0].label, "maandag");
  EXPECT_EQ(r.per_day[0].inquiries, 3u);
  EXPECT_EQ(r.per_day[0].denied, 1u);
  EXPECT_EQ(r.per_day[1].inquiries, 1u);
  EXPECT_EQ(r.per_day[2].key, "2026-03-04");
  EXPECT_EQ(r.per_day[2].inquiries, 0u);
  EXPECT_EQ(r.per_day[3].inquiries, 4u);
  EXPECT_EQ(r.per_day[3].denied, 2u);

  ASSERT_EQ(r.denials_by_code.size(), 2u);
  EXPECT_EQ(r.denials_by_code[0].key, "ROLE_NOT_AUTHORISED");
  EXPECT_EQ(r.denials_by_code[0].inquiries, 2u);
  EXPECT_EQ(r.denials_by_code[1].key, "FIELD_NOT_PERMITTED");
  EXPECT_EQ(r.denials_by_code[1].inquiries, 1u);
  ASSERT_EQ(r.failures_by_code.size(), 1u);
  EXPECT_EQ(r.failures_by_code[0].key, "UPSTREAM_UNAVAILABLE");

  ASSERT_FALSE(r.top_users_by_inquiries.empty());
  EXPECT_EQ(r.top_users_by_inquiries[0].user, "u1");
  EXPECT_EQ(r.top_users_by_inquiries[0].inquiries, 4u);
  EXPECT_EQ(r.top_users_by_subjects[0].user, "u1");
  EXPECT_EQ(r.top_users_by_subjects[0].subjects, 3u);  // A, B, D
  ASSERT_FALSE(r.top_subjects.empty());
  EXPECT_EQ(r.top_subjects[0].pseudonym, "A");
  EXPECT_EQ(r.top_subjects[0].inquiries, 3u);
  EXPECT_EQ(r.top_subjects[0].users, 2u);

  const std::string html = render_report_html(r);
  EXPECT_NE(html.find("<th scope=\"row\"><code>ROLE_NOT_AUTHORISED</code></th><td class=\"num\">2</td>"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"row\">2026-03-05</th><td>donderdag</td><td class=\"num\">4</td><td class=\"num\">2</td>"),
            std::string::npos);
}

TEST_F(AuditReportTest, CountsOnlyThePeriodAsked) {
  const AuditReport r = report(small_log(), "Europe/Amsterdam", {"2026-03-03", "2026-03-04"});
  EXPECT_EQ(r.inquiries, 1u);
  ASSERT_EQ(r.per_day.size(), 2u);
  EXPECT_EQ(r.per_day[0].inquiries, 1u);
  EXPECT_EQ(r.per_day[1].inquiries, 0u);
}

TEST_F(AuditReportTest, ListsBreakGlassInquiriesWithTheirReasonsEscaped) {
  Inquiry urgent{"q9", "2026-03-07T21:15:00Z", "u7", "pw-recht", "BRPDossierPersoon", "E"};
  urgent.break_glass = true;
  urgent.reason = "Spoed: <script>alert(\"x\")</script> & dakloos";
  urgent.case_reference = "Z-2026-<9>";
  std::vector<Inquiry> log = small_log();
  log.push_back(urgent);
  const AuditReport r = report(log);
  EXPECT_EQ(r.break_glass, 1u);
  ASSERT_EQ(r.break_glass_inquiries.size(), 1u);
  const ReportInquiry& b = r.break_glass_inquiries[0];
  EXPECT_EQ(b.user, "u7");
  EXPECT_EQ(b.reason, urgent.reason);
  EXPECT_EQ(b.case_reference, "Z-2026-<9>");
  EXPECT_EQ(b.code, "OK");
  EXPECT_EQ(b.time.date, "2026-03-07");
  EXPECT_EQ(b.time.hhmm, "22:15");
  const std::string html = render_report_html(r);
  EXPECT_NE(html.find("Spoed: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; dakloos"), std::string::npos);
  EXPECT_NE(html.find("<code>Z-2026-&lt;9&gt;</code>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

// The office hours are Monday to Friday 07:00-19:00 local time. Around the start of summer time in Amsterdam
// (29 March 2026, 01:00 UTC) the same UTC hours fall on either side of them.
TEST_F(AuditReportTest, ComputesTheShareOutsideOfficeHoursInTheConfiguredTimeZone) {
  const std::vector<Inquiry> log = {
      {"q1", "2026-03-27T18:30:00Z", "fri-evening", "pw-recht", "BRPDossierPersoon", "A"},  // 19:30 CET
      {"q2", "2026-03-29T01:30:00Z", "sun-night", "pw-recht", "BRPDossierPersoon", "A"},    // 03:30 CEST, Sunday
      {"q3", "2026-03-30T05:30:00Z", "mon-early", "pw-recht", "BRPDossierPersoon", "A"},    // 07:30 CEST
      {"q4", "2026-03-30T17:30:00Z", "mon-late", "pw-recht", "BRPDossierPersoon", "A"},     // 19:30 CEST
      {"q5", "2026-03-29T22:30:00Z", "mon-midnight", "pw-recht", "BRPDossierPersoon", "A"}, // 00:30 CEST, Monday
  };
  auto outside = [](const AuditReport& r, const std::string& user) {
    for (const auto& u : r.top_users_by_inquiries)
      if (u.user == user) return u.outside_office_hours;
    ADD_FAILURE() << user;
    return std::size_t{99};
  };
  const AuditReport ams = report(log, "Europe/Amsterdam");
  EXPECT_EQ(ams.outside_office_hours, 4u);
  EXPECT_DOUBLE_EQ(ams.outside_office_hours_share(), 0.8);
  EXPECT_EQ(outside(ams, "fri-evening"), 1u);
  EXPECT_EQ(outside(ams, "sun-night"), 1u);
  EXPECT_EQ(outside(ams, "mon-early"), 0u) << "07:30 summer time is inside office hours";
  EXPECT_EQ(outside(ams, "mon-late"), 1u);
  EXPECT_EQ(outside(ams, "mon-midnight"), 1u);
  ASSERT_NE(find(ams.per_day, "2026-03-29"), nullptr);
  EXPECT_EQ(find(ams.per_day, "2026-03-29")->inquiries, 1u);
  EXPECT_EQ(find(ams.per_day, "2026-03-30")->inquiries, 3u);
  EXPECT_NE(render_report_html(ams).find("(80%) vielen buiten kantoortijd"), std::string::npos);

  const AuditReport utc = report(log, "UTC");
  EXPECT_EQ(utc.outside_office_hours, 3u);
  EXPECT_DOUBLE_EQ(utc.outside_office_hours_share(), 0.6);
  EXPECT_EQ(outside(utc, "fri-evening"), 0u);
  EXPECT_EQ(outside(utc, "mon-early"), 1u);
  EXPECT_EQ(outside(utc, "mon-late"), 0u);
  EXPECT_EQ(find(utc.per_day, "2026-03-29")->inquiries, 2u);
}

TEST_F(AuditReportTest, CountsSearchesWithoutBsnAndListsIncompleteInquiries) {
  Inquiry found{"s1", "2026-03-02T09:00:00Z", "u1", "pw-recht", "BRPDossierPersoon", "search-jansen"};
  found.search_key = "naam_geboortedatum";
  found.outcome_subject = "A";  // the registry found person A
  Inquiry nobody{"s2", "2026-03-02T09:05:00Z", "u1", "pw-recht", "BRPDossierPersoon", "search-pietersen"};
  nobody.search_key = "naam_geboortedatum";
  Inquiry plate{"s3", "2026-03-02T09:10:00Z", "u2", "pw-terug", "BRPDossierPersoon", "search-plate", "deny",
                "SEARCH_KEY_NOT_PERMITTED"};
  plate.search_key = "kenteken";
  Inquiry lost{"s4", "2026-03-02T09:20:00Z", "u2", "pw-recht", "UWVDossierInkomsten", "A"};
  lost.outcome = false;
  const AuditReport r = report({found, nobody, plate, lost});
  EXPECT_EQ(r.non_bsn, 3u);
  ASSERT_EQ(r.search_keys.size(), 2u);
  EXPECT_EQ(r.search_keys[0].key, "naam_geboortedatum");
  EXPECT_EQ(r.search_keys[0].inquiries, 2u);
  EXPECT_EQ(r.search_keys[1].key, "kenteken");
  EXPECT_EQ(r.search_keys[1].denied, 1u);
  ASSERT_EQ(r.non_bsn_inquiries.size(), 3u);
  EXPECT_EQ(r.non_bsn_inquiries[2].search_key, "kenteken");
  EXPECT_EQ(r.subjects, 1u) << "only person A is known; searches that found nobody name no one";
  EXPECT_EQ(r.top_subjects[0].inquiries, 2u);
  EXPECT_EQ(r.incomplete, 1u);
  EXPECT_EQ(r.failed, 1u);
  ASSERT_EQ(r.incomplete_inquiries.size(), 1u);
  EXPECT_EQ(r.incomplete_inquiries[0].inquiry_id, "s4");
  const std::string html = render_report_html(r);
  EXPECT_NE(html.find("id=\"onvolledig\""), std::string::npos);
  EXPECT_NE(html.find("<code>s4</code>"), std::string::npos);
  EXPECT_EQ(render_report_html(report(small_log())).find("id=\"onvolledig\""), std::string::npos)
      << "the section appears only when there is something to show";
}

TEST_F(AuditReportTest, ShortensPseudonymsOfTheMostQueriedPersons) {
  const std::string pseudonym(64, 'c');
  const AuditReport r = report({{"q1", "2026-03-02T09:00:00Z", "u1", "pw-recht", "BRPDossierPersoon", pseudonym}});
  ASSERT_EQ(r.top_subjects.size(), 1u);
  EXPECT_EQ(r.top_subjects[0].pseudonym, "cccccccccccc\u2026");
  EXPECT_EQ(render_report_html(r).find(pseudonym), std::string::npos);
}

TEST_F(AuditReportTest, RendersOneSelfContainedPageWithChartsAndEscapedNames) {
  const std::string html = render_report_html(report(small_log()));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"nl\">", 0), 0u);
  std::size_t charts = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++charts;
  EXPECT_EQ(charts, 4u) << "per day, per activity, per source, refusals by code";
  EXPECT_NE(html.find("role=\"img\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("Recht op bijstand &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("UWV &lt;Inkomsten&gt;"), std::string::npos);
}

TEST_F(AuditReportTest, SaysSoWhenThereIsNothingToReport) {
  const AuditReport r = report({});
  EXPECT_EQ(r.inquiries, 0u);
  const std::string html = render_report_html(r);
  EXPECT_NE(html.find("geen verzoeken"), std::string::npos);
}

}  // namespace
}  // namespace doelpoort::testing
