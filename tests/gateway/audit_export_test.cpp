// The Logboek Dataverwerkingen export (`doelpoort audit export --format ldv`) on a small hand-written log in
// the documented record schema (audit_reader.h).
#include "audit_export.h"

#include <gtest/gtest.h>

#include <sstream>

#include "test_dir.h"

namespace doelpoort::testing {
namespace {

const std::string kAlice(64, 'a');
const std::string kSearch(64, 's');

nlohmann::json decision(const std::string& id, const std::string& time, const std::string& decision,
                        const std::string& code = "") {
  nlohmann::json d = {{"kind", "decision"}, {"time", time}, {"inquiry_id", id}, {"user", "u-4711"},
                      {"application", "zaaksysteem"}, {"activity", "pw-recht-op-uitkering"},
                      {"case_reference", "ZAAK-99"}, {"source", "BRPDossierPersoon"}, {"search_key", "bsn"},
                      {"subject", kAlice}, {"fields_requested", {"voornamen"}}, {"decision", decision},
                      {"trace_id", "4bf92f3577b34da6a3ce929d0e0e47" + id.substr(1, 2)},
                      {"span_id", "00f067aa0ba902" + id.substr(1, 2)}, {"seq", 1}, {"hash", "x"}};
  if (!code.empty()) d["code"] = code;
  return d;
}

nlohmann::json outcome(const std::string& id, const std::string& time, const std::string& code,
                       const std::string& found, const std::string& subject = kAlice) {
  return {{"kind", "outcome"}, {"time", time}, {"inquiry_id", id}, {"code", code}, {"found", found},
          {"fields_returned", found == "yes" ? nlohmann::json{"voornamen"} : nlohmann::json::array()},
          {"subject", subject}};
}

class AuditExport : public ::testing::Test {
 protected:
  std::vector<nlohmann::json> export_lines(const std::vector<nlohmann::json>& records, const LdvOptions& options = {}) {
    std::string text;
    for (const auto& r : records) text += r.dump() + "\n";
    std::filesystem::create_directories(dir_.file("audit"));
    dir_.write("audit/segment-000000000001.jsonl", text);
    std::ostringstream out;
    ExportSummary summary;
    std::string error;
    EXPECT_TRUE(export_ldv({dir_.file("audit")}, options, out, summary, error)) << error;
    raw_ = out.str();
    std::vector<nlohmann::json> lines;
    std::istringstream in(raw_);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    EXPECT_EQ(summary.lines, lines.size());
    return lines;
  }

  TestDir dir_;
  std::string raw_;
};

TEST_F(AuditExport, WritesOneLinePerInquiryWithItsIdsStatusAndAttributes) {
  const auto lines = export_lines({
      decision("q01", "2026-03-02T09:15:00.123456Z", "permit"),
      outcome("q01", "2026-03-02T09:15:00.487001Z", "OK", "yes"),
      decision("q02", "2026-03-02T09:16:00Z", "deny", "FIELD_NOT_PERMITTED"),
      decision("q03", "2026-03-02T09:17:00Z", "permit"),
      decision("q04", "2026-03-02T09:18:00Z", "permit"),  // never completed
      outcome("q03", "2026-03-02T09:17:05Z", "UPSTREAM_UNAVAILABLE", ""),
      decision("q05", "2026-03-02T09:19:00Z", "deny", "STATE_UNAVAILABLE"),
      decision("q06", "2026-03-02T09:20:00Z", "permit"),
      outcome("q06", "2026-03-02T09:20:01Z", "OK", "no"),
  });
  ASSERT_EQ(lines.size(), 6u);
  std::map<std::string, nlohmann::json> by_span;
  for (const auto& l : lines) by_span[l["span_id"].get<std::string>()] = l;
  ASSERT_EQ(by_span.size(), 6u);

  const nlohmann::json& ok = by_span.at("00f067aa0ba90201");
  EXPECT_EQ(ok["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4701");
  EXPECT_EQ(ok["name"], "pw-recht-op-uitkering");
  EXPECT_EQ(ok["start_time"], "2026-03-02T09:15:00.123Z");
  EXPECT_EQ(ok["end_time"], "2026-03-02T09:15:00.487Z");
  EXPECT_EQ(ok["status_code"], "STATUS_CODE_OK");
  EXPECT_EQ(ok["attributes"], (nlohmann::json{{"dpl.core.processing_activity_id", "pw-recht-op-uitkering"},
                                              {"dpl.core.data_subject_id", kAlice},
                                              {"dpl.core.data_subject_id_type", "BSN"}}));
  EXPECT_EQ(ok["resource"]["attributes"]["service.name"], "doelpoort");
  EXPECT_FALSE(ok.contains("parent_span_id"));

  const nlohmann::json& refused = by_span.at("00f067aa0ba90202");
  EXPECT_EQ(refused["status_code"], "STATUS_CODE_UNSET") << "refused on the caller's input, handled without error";
  EXPECT_EQ(refused["end_time"], refused["start_time"]);
  EXPECT_FALSE(refused["attributes"].contains("exception.type"));

  const nlohmann::json& unavailable = by_span.at("00f067aa0ba90203");
  EXPECT_EQ(unavailable["status_code"], "STATUS_CODE_ERROR");
  EXPECT_EQ(unavailable["attributes"]["exception.type"], "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(unavailable["end_time"], "2026-03-02T09:17:05.000Z");

  const nlohmann::json& incomplete = by_span.at("00f067aa0ba90204");
  EXPECT_EQ(incomplete["status_code"], "STATUS_CODE_ERROR");
  EXPECT_EQ(incomplete["attributes"]["exception.type"], "INCOMPLETE");

  EXPECT_EQ(by_span.at("00f067aa0ba90205")["status_code"], "STATUS_CODE_ERROR") << "a server-side refusal";
  EXPECT_EQ(by_span.at("00f067aa0ba90206")["status_code"], "STATUS_CODE_OK") << "answered: not found";

  for (const std::string secret : {"u-4711", "ZAAK-99", "zaaksysteem", "voornamen", "\"q0"})
    EXPECT_EQ(raw_.find(secret), std::string::npos) << secret << " does not belong in an LDV line";
}

TEST_F(AuditExport, NamesTheFoundPersonOfASearchAndNoOneWhenItFoundNobody) {
  nlohmann::json found = decision("q01", "2026-03-02T09:15:00Z", "permit");
  found["search_key"] = "naam_geboortedatum";
  found["subject"] = kSearch;
  nlohmann::json nobody = decision("q02", "2026-03-02T09:16:00Z", "permit");
  nobody["search_key"] = "naam_geboortedatum";
  nobody["subject"] = kSearch;
  const auto lines = export_lines({found, outcome("q01", "2026-03-02T09:15:01Z", "OK", "yes", kAlice), nobody,
                                   outcome("q02", "2026-03-02T09:16:01Z", "OK", "no", kSearch)});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["attributes"]["dpl.core.data_subject_id"], kAlice);
  EXPECT_FALSE(lines[1]["attributes"].contains("dpl.core.data_subject_id"));
  EXPECT_FALSE(lines[1]["attributes"].contains("dpl.core.data_subject_id_type"));
  EXPECT_EQ(raw_.find(kSearch), std::string::npos) << "a pseudonym of search terms names no one";
}

TEST_F(AuditExport, RefersToThePublishedRegisterWhenGivenItsAddress) {
  LdvOptions options;
  options.register_url = "https://www.werkplein.example/register.html";
  const auto lines = export_lines({decision("q01", "2026-03-02T09:15:00Z", "deny", "CASE_REQUIRED")}, options);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["attributes"]["dpl.core.processing_activity_id"],
            "https://www.werkplein.example/register.html#verwerking-pw-recht-op-uitkering");
}

TEST_F(AuditExport, DerivesIdsFromTheInquiryIdWhenARecordHasNone) {
  nlohmann::json old = decision("q01", "2026-03-02T09:15:00Z", "deny", "CASE_REQUIRED");
  old.erase("trace_id");
  old.erase("span_id");
  old["inquiry_id"] = "5E0C9A43-1B2D-4C5E-8F90-A1B2C3D4E5F6";
  const auto lines = export_lines({old});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["trace_id"], "5e0c9a431b2d4c5e8f90a1b2c3d4e5f6");
  EXPECT_EQ(lines[0]["span_id"], "8f90a1b2c3d4e5f6");
}

TEST(AuditExportFormats, HasTheLogboekDataverwerkingenFormat) {
  ASSERT_NE(find_export_format("ldv"), nullptr);
  EXPECT_EQ(find_export_format("csv"), nullptr);
}

}  // namespace
}  // namespace doelpoort::testing
