// The privacy officer's report and the access letter on a synthetic month of two gateways' audit logs (in the
// documented record schema, audit_reader.h) with the shipped register: a real browser (headless Chromium)
// renders both to screenshots that are clearly not blank pages. The pages and screenshots stay in
// <build>/test-artifacts/audit-report/ for people to look at. No servers are started.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "audit_query.h"
#include "audit_report.h"
#include "harness.h"
#include "pseudonym.h"
#include "register.h"
#include "screenshot.h"

namespace doelpoort::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChromium = "/usr/bin/chromium";  // Debian package `chromium` (tools/install-deps.sh)
constexpr const char* kKeyHex = "6b1f0e2d3c4b5a69788796a5b4c3d2e1f0112233445566778899aabbccddeeff";
constexpr const char* kAliceBsn = "111222333";

fs::path artifacts() {
  const fs::path dir = fs::path(DOELPOORT_BIN_DIR).parent_path() / "test-artifacts" / "audit-report";
  fs::create_directories(dir);
  return dir;
}

std::shared_ptr<const Register> shipped_register() {
  Diagnostics d;
  auto reg = load_register(source("config/register.yaml"), d);
  EXPECT_TRUE(reg) << d.first_error();
  return reg;
}

const Pseudonymiser& keyed() {
  static const Pseudonymiser p = [] {
    std::array<unsigned char, 32> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(std::stoi(std::string(kKeyHex + 2 * i, 2), nullptr, 16));
    return Pseudonymiser(key);
  }();
  return p;
}

// A BSN passing the 11-proef, made from `n` (eight digits and a check digit; 0 when none fits).
std::string bsn_from(std::uint32_t n) {
  std::string digits = std::to_string(10000000 + n % 90000000);
  int sum = 0;
  for (std::size_t i = 0; i < 8; ++i) sum += static_cast<int>(9 - i) * (digits[i] - '0');
  const int check = sum % 11;
  return check == 10 ? std::string() : digits + static_cast<char>('0' + check);
}

// --- a synthetic month ---------------------------------------------------------------------------------------

struct Synthetic {
  std::size_t inquiries = 0;
  std::size_t break_glass = 0;
  std::size_t incomplete = 0;
};

// Writes March 2026 for a Werkplein: about twenty inquiries per working day over two gateways, a few in the
// evening and at weekends, refusals, registry failures, break-glass with reasons, searches by name, two
// inquiries left incomplete, one user browsing many persons. Person kAliceBsn has three inquiries, one of them
// in a (confidential) fraud investigation. Deterministic: the same log every run.
Synthetic write_synthetic_month(const std::vector<std::string>& dirs) {
  const std::vector<std::string> activities = {"pw-recht-op-uitkering", "pw-recht-op-uitkering", "pw-recht-op-uitkering",
                                               "pw-heronderzoek", "pw-bijzondere-bijstand", "pw-voorschot",
                                               "pw-re-integratie", "pw-terugvordering", "pw-debiteurenbeheer",
                                               "pw-fraudeonderzoek"};
  const std::vector<std::string> refusals = {"FIELD_NOT_PERMITTED", "FIELD_NOT_PERMITTED", "SUBJECT_NOT_IN_CASELOAD",
                                             "ROLE_NOT_AUTHORISED", "VOLUME_LIMIT_EXCEEDED", "CASE_REQUIRED",
                                             "OUTSIDE_OFFICE_HOURS", "SPECIAL_CATEGORY_NOT_PERMITTED"};
  const std::vector<std::string> reasons = {
      "Melding huiselijk geweld: cliënt acuut dakloos, noodopvang regelen buiten kantoortijd",
      "Politie vraagt 's avonds om verificatie adres bij lopend rechercheonderzoek (PV 2026-0312)",
      "Spoedbetaling voorschot: cliënt zonder inkomen, gezin met kinderen, weekenddienst",
      "Caseload nog niet bijgewerkt na overdracht dossier van collega <met ziekteverlof>",
  };
  std::mt19937 rng(20260301);
  auto pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  std::vector<std::string> people;
  for (std::uint32_t n = 1; people.size() < 220; n += 7919)
    if (std::string b = bsn_from(n * 2654435761U); !b.empty()) people.push_back(b);

  std::vector<std::ofstream> out;
  for (const auto& dir : dirs) {
    fs::create_directories(dir);
    out.emplace_back(fs::path(dir) / "segment-000000000001.jsonl", std::ios::binary | std::ios::trunc);
  }
  Synthetic s;
  ZoneScope zone("Europe/Amsterdam");
  auto utc = [](std::time_t t, int micros) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
    return std::string(buf);
  };
  auto hex = [&rng](std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string h;
    while (h.size() < n) h += kDigits[rng() % 16];
    return h;
  };

  struct Plan {
    int day, hour, minute;
    std::string user, activity, bsn, search_key = "bsn", refusal, failure, reason;
    bool break_glass = false, incomplete = false;
  };
  std::vector<Plan> plans;
  for (int day = 1; day <= 31; ++day) {
    std::tm probe{};
    probe.tm_year = 126, probe.tm_mon = 2, probe.tm_mday = day, probe.tm_hour = 12, probe.tm_isdst = -1;
    std::mktime(&probe);
    const bool weekend = probe.tm_wday == 0 || probe.tm_wday == 6;
    const std::size_t count = weekend ? pick(3) : 14 + pick(16);
    for (std::size_t i = 0; i < count; ++i) {
      Plan p;
      p.day = day;
      const bool evening = weekend || pick(100) < 4;
      p.hour = evening ? (pick(2) ? 19 + static_cast<int>(pick(4)) : 6) : 8 + static_cast<int>(pick(9));
      p.minute = static_cast<int>(pick(60));
      const std::size_t k = pick(12);
      p.user = "u10" + std::to_string(10 + k);
      p.activity = activities[pick(activities.size())];
      // Each user works a caseload of about thirty persons; u1017 browses everyone.
      p.bsn = k == 7 ? people[pick(people.size())] : people[(k * 18 + pick(30)) % people.size()];
      if (pick(100) < 4) p.search_key = pick(3) ? "naam_geboortedatum" : "postcode_huisnummer";
      if (pick(100) < 9) p.refusal = refusals[pick(refusals.size())];
      else if (pick(100) < 2) p.failure = pick(2) ? "UPSTREAM_UNAVAILABLE" : "UPSTREAM_ERROR";
      plans.push_back(p);
    }
  }
  for (int i = 0; i < 5; ++i) {  // break-glass, for the review
    Plan p;
    p.day = 3 + 6 * i, p.hour = i == 2 ? 13 : 20 + i % 3, p.minute = 10 * i;
    p.user = i % 2 ? "u1013" : "u1019";
    p.activity = "pw-fraudeonderzoek";
    p.bsn = people[pick(people.size())];
    p.break_glass = true;
    p.reason = reasons[static_cast<std::size_t>(i) % reasons.size()];
    plans.push_back(p);
  }
  for (int i = 0; i < 2; ++i) {  // the gateway stopped while the registry was asked
    Plan p;
    p.day = 17, p.hour = 11, p.minute = 2 + i;
    p.user = "u1011";
    p.activity = "pw-recht-op-uitkering";
    p.bsn = people[pick(people.size())];
    p.incomplete = true;
    plans.push_back(p);
  }
  const std::vector<std::array<int, 3>> alice = {{4, 9, 12}, {11, 14, 40}, {20, 10, 5}};
  for (std::size_t i = 0; i < alice.size(); ++i) {
    Plan p;
    p.day = alice[i][0], p.hour = alice[i][1], p.minute = alice[i][2];
    p.user = "u1012";
    p.activity = i == 1 ? "pw-fraudeonderzoek" : i == 0 ? "pw-recht-op-uitkering" : "pw-heronderzoek";
    p.bsn = kAliceBsn;
    plans.push_back(p);
  }
  std::sort(plans.begin(), plans.end(), [](const Plan& a, const Plan& b) {
    return std::tie(a.day, a.hour, a.minute) < std::tie(b.day, b.hour, b.minute);
  });

  std::size_t n = 0;
  for (const Plan& p : plans) {
    std::tm local{};
    local.tm_year = 126, local.tm_mon = 2, local.tm_mday = p.day, local.tm_hour = p.hour, local.tm_min = p.minute;
    local.tm_sec = static_cast<int>(pick(60));
    local.tm_isdst = -1;
    const std::time_t at = std::mktime(&local);
    const std::string id = hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12);
    const std::string person = keyed().pseudonym(p.bsn);
    const std::string named = p.search_key == "bsn" ? person : keyed().pseudonym("search\x1f" + hex(10));
    const bool source_uwv = pick(3) == 0;
    const std::string source = source_uwv ? "UWVDossierInkomsten" : "BRPDossierPersoon";
    const std::vector<std::string> fields = source_uwv ? std::vector<std::string>{"werkgever_naam", "loon_sv"}
                                                       : std::vector<std::string>{"voornamen", "geslachtsnaam", "adres_straat"};
    const std::vector<std::string> categories = source_uwv ? std::vector<std::string>{"arbeid", "inkomen"}
                                                           : std::vector<std::string>{"identificatie", "woonsituatie"};
    const bool denied = !p.refusal.empty();
    nlohmann::json d = {{"kind", "decision"}, {"time", utc(at, static_cast<int>(pick(1000000)))}, {"inquiry_id", id},
                        {"message_id", "urn:uuid:" + hex(32)}, {"application", "zaaksysteem"},
                        {"client_cn", "zaaksysteem.werkplein.example"}, {"user", p.user}, {"activity", p.activity},
                        {"activity_version", "2"}, {"register_version", "2026.12.0"}, {"purpose", ""},
                        {"legal_basis", "AVG art. 6 lid 1 sub c (wettelijke verplichting); Participatiewet art. 64"},
                        {"case_reference", "Z-2026-" + std::to_string(1000 + pick(400))}, {"source", source},
                        {"search_key", p.search_key}, {"subject", named}, {"fields_requested", fields},
                        {"categories_requested", categories}, {"decision", denied ? "deny" : "permit"},
                        {"decision_code", denied ? p.refusal : "OK"}, {"message", ""}, {"break_glass", p.break_glass},
                        {"reason", p.reason}, {"trace_id", hex(32)}, {"span_id", hex(16)}};
    if (denied) d["code"] = p.refusal;
    if (p.activity == "pw-fraudeonderzoek") d["confidential_until"] = add_days(local_time_at(at).date, 180);
    std::ofstream& file = out[n++ % out.size()];
    file << d.dump() << "\n";
    ++s.inquiries;
    if (p.break_glass) ++s.break_glass;
    if (p.incomplete) ++s.incomplete;
    if (denied || p.incomplete) continue;
    const bool failed = !p.failure.empty(), found = !failed && (p.search_key == "bsn" || pick(5) != 0);
    nlohmann::json o = {{"kind", "outcome"}, {"time", utc(at + 1, static_cast<int>(pick(1000000)))}, {"inquiry_id", id},
                        {"code", failed ? p.failure : "OK"}, {"message", ""},
                        {"fields_returned", found ? fields : std::vector<std::string>{}},
                        {"fields_withheld", nlohmann::json::array()},
                        {"categories_returned", found ? categories : std::vector<std::string>{}},
                        {"upstream_status", failed ? 503 : 200}, {"found", failed ? "" : found ? "yes" : "no"},
                        {"duration_us", 20000 + pick(400000)}, {"subject", found ? person : named}};
    file << o.dump() << "\n";
  }
  return s;
}

// --- browser and PNG -------------------------------------------------------------------------------------------

// The screenshot of `html` is a real page: a PNG of 1280×2000, much bigger than a blank page's, in many colours,
// mostly light, with the page's dark blue header band in the top-left corner.
void expect_rendered_page(const fs::path& html, const fs::path& png) {
  const fs::path dir = artifacts();
  screenshot(html, png);
  std::ofstream(dir / "blank.html") << "<!DOCTYPE html><html lang=\"nl\"><title>leeg</title><body></body></html>\n";
  screenshot(dir / "blank.html", dir / "blank.png");
  ASSERT_TRUE(fs::exists(png));
  const std::string shot_png = read_file(png.string()), blank_png = read_file((dir / "blank.png").string());
  EXPECT_TRUE(has_png_signature(shot_png));
  EXPECT_GT(shot_png.size(), 20u * 1024);
  EXPECT_GT(shot_png.size(), 5 * blank_png.size()) << png << " " << shot_png.size() << " bytes, blank " << blank_png.size();
  std::string error;
  const Pixels shot = decode_png(shot_png, error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(shot.width, 1280u);
  EXPECT_EQ(shot.height, 2000u);
  EXPECT_GT(std::set<std::uint32_t>(shot.rgb.begin(), shot.rgb.end()).size(), 64u);
  std::size_t white = 0;
  for (std::uint32_t p : shot.rgb) white += p == 0xffffffU;
  EXPECT_LT(white, shot.rgb.size() * 9 / 10) << "more than 90% of the page is white";
  EXPECT_GT(white, shot.rgb.size() / 4) << "a readable page has a light background";
  EXPECT_EQ(shot.rgb[10 * shot.width + 10], 0x073a6bU) << "the inline CSS applied: the dark blue header band";
  std::cout << "screenshot: " << png.string() << "\n";
}

// --- the tests ---------------------------------------------------------------------------------------------------

class AuditReportPage : public ::testing::Test {
 protected:
  void SetUp() override {
    reg_ = shipped_register();
    ASSERT_TRUE(reg_);
    dir_ = fs::temp_directory_path() / ("dp-audit-report-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    dirs_ = {(dir_ / "gw1-audit").string(), (dir_ / "gw2-audit").string()};
    month_ = write_synthetic_month(dirs_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  AuditReport build() {
    ReportOptions options;
    options.period = {"2026-03-01", "2026-03-31"};
    AuditReport r;
    std::string error;
    EXPECT_TRUE(build_audit_report(dirs_, reg_.get(), options, r, error)) << error;
    return r;
  }

  std::shared_ptr<const Register> reg_;
  fs::path dir_;
  std::vector<std::string> dirs_;
  Synthetic month_;
};

TEST_F(AuditReportPage, CountsEveryInquiryOfTwoGatewaysLogs) {
  const AuditReport r = build();
  EXPECT_EQ(r.inquiries, month_.inquiries);
  EXPECT_EQ(r.break_glass, month_.break_glass);
  EXPECT_EQ(r.incomplete, month_.incomplete);
  EXPECT_EQ(r.per_day.size(), 31u);
  EXPECT_EQ(r.logs.size(), 2u);
  std::size_t per_day = 0, per_activity = 0;
  for (const auto& d : r.per_day) per_day += d.inquiries;
  for (const auto& a : r.per_activity) per_activity += a.inquiries;
  EXPECT_EQ(per_day, r.inquiries);
  EXPECT_EQ(per_activity, r.inquiries);
  for (const auto& a : r.per_activity) EXPECT_NE(reg_->find(a.key), nullptr) << a.key;
  EXPECT_GT(r.outside_office_hours, 0u);
  EXPECT_GT(r.non_bsn, 0u);
  EXPECT_FALSE(r.denials_by_code.empty());
}

TEST_F(AuditReportPage, HeadlessChromiumRendersTheReportToANonBlankScreenshot) {
  ASSERT_TRUE(fs::exists(kChromium)) << kChromium << " is missing: install the Debian package chromium (tools/install-deps.sh)";
  const fs::path html = artifacts() / "report.html";
  std::ofstream(html, std::ios::binary | std::ios::trunc) << render_report_html(build());
  expect_rendered_page(html, artifacts() / "report.png");
}

TEST_F(AuditReportPage, HeadlessChromiumRendersTheAccessLetterToANonBlankScreenshot) {
  ASSERT_TRUE(fs::exists(kChromium)) << kChromium << " is missing: install the Debian package chromium (tools/install-deps.sh)";
  AccessRequest request;
  request.subject = keyed().pseudonym(kAliceBsn);
  request.as_of = "2026-04-15";
  AccessAnswer answer;
  std::string error;
  ASSERT_TRUE(answer_access_request(dirs_, *reg_, request, answer, error)) << error;
  EXPECT_EQ(answer.provided.size(), 2u) << "the fraud investigation stays confidential until September";
  const fs::path html = artifacts() / "inzage.html";
  std::ofstream(html, std::ios::binary | std::ios::trunc) << render_access_letter_html(answer);
  expect_rendered_page(html, artifacts() / "inzage.png");
}

// Through the real binary, once `doelpoort audit` has the read commands (cmd_audit.cpp adds them).
TEST_F(AuditReportPage, TheDoelpoortBinaryWritesTheReportTheLetterAndTheExport) {
  std::string out;
  ASSERT_EQ(run_command({bin("doelpoort"), "audit", "--help"}, out), 0) << out;
  if (out.find("\n  report ") == std::string::npos)
    GTEST_SKIP() << "this doelpoort has no `audit report` yet (cmd_audit.cpp adds the read commands)";
  const std::string key = (dir_ / "subject.key").string();
  std::ofstream(key) << kKeyHex << "\n";
  GatewayOptions o;
  o.brp_url = o.uwv_url = "https://127.0.0.1:9/unused";
  o.audit_dir = dirs_[0];
  o.subject_key = key;
  const std::string config = (dir_ / "doelpoort.yaml").string();
  std::ofstream(config) << gateway_config_yaml(o);

  const fs::path report = artifacts() / "report-cli.html";
  ASSERT_EQ(run_command({bin("doelpoort"), "audit", "report", dirs_[0], dirs_[1], "--out", report.string(), "--config",
                         config, "--from", "2026-03-01", "--to", "2026-03-31"},
                        out),
            0)
      << out;
  EXPECT_NE(out.find(std::to_string(month_.inquiries) + " inquiries"), std::string::npos) << out;
  EXPECT_NE(read_file(report.string()).find("<svg"), std::string::npos);

  ASSERT_EQ(run_command({bin("doelpoort"), "audit", "query", "--bsn", kAliceBsn, "--as-of", "2026-04-15", "--config",
                         config, dirs_[0], dirs_[1]},
                        out),
            0)
      << out;
  const nlohmann::json answer = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << out;
  EXPECT_EQ(answer["counts"]["provided"], 2);
  EXPECT_EQ(out.find(kAliceBsn), std::string::npos) << "the answer does not repeat the BSN";

  EXPECT_EQ(run_command({bin("doelpoort"), "audit", "query", "--bsn", "111222334", "--config", config}, out), 2);
  EXPECT_NE(out.find("not a valid BSN"), std::string::npos) << out;
  EXPECT_EQ(out.find("111222334"), std::string::npos) << out;

  const fs::path ldv = artifacts() / "ldv.jsonl";
  ASSERT_EQ(run_command({bin("doelpoort"), "audit", "export", dirs_[0], dirs_[1], "--format", "ldv", "--out", ldv.string()},
                        out),
            0)
      << out;
  std::size_t lines = 0;
  std::istringstream in(read_file(ldv.string()));
  for (std::string line; std::getline(in, line); ++lines)
    ASSERT_TRUE(nlohmann::json::parse(line, nullptr, false).contains("trace_id")) << line;
  EXPECT_EQ(lines, month_.inquiries);
}

}  // namespace
}  // namespace doelpoort::testing
