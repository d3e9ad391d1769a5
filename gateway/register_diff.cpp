#include "register_diff.h"

#include <ctime>

#include "audit_reader.h"
#include "decision.h"
#include "pipeline.h"
#include "snapshot.h"

namespace doelpoort {
namespace {

std::string text(const nlohmann::json& r, const char* key) {
  auto it = r.find(key);
  return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Placeholder values of the recorded search key's shape: the log keeps no subject, and the decision only
// looks at which key was used.
void name_subject(const std::string& key, InquiryRequest& r) {
  if (key == "kenteken") {
    r.search.kenteken = "AA11BB";
  } else if (key == "postcode_huisnummer") {
    r.search.postcode = "1234AB";
    r.search.huisnummer = "1";
  } else if (key == "naam_geboortedatum") {
    r.search.geslachtsnaam = "Onbekend";
    r.search.geboortedatum = "19700101";
  } else {
    r.subject_bsn = "111222333";
  }
}

bool local_time_of(const std::string& rfc3339, DecisionTime& time) {
  std::tm tm{};
  if (strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return false;
  LimitPeriods periods;
  local_time(std::chrono::system_clock::from_time_t(timegm(&tm)), time, periods);
  return true;
}

}  // namespace

bool diff_register(const GatewayConfig& config, const std::string& candidate_register,
                   const std::vector<std::string>& audit_dirs, DiffReport& report, std::string& error) {
  Diagnostics diags;
  auto live = load_snapshot(config, diags);
  if (!live) {
    error = diags.first_error();
    return false;
  }
  Policy candidate = live->policy;
  candidate.reg = load_register(candidate_register, diags);
  if (candidate.reg) {
    std::set<std::string> sources;
    for (const auto& [name, s] : config.sources) sources.insert(name);
    cross_check(candidate, sources, diags);
  }
  if (!candidate.reg || diags.has_errors()) {
    error = diags.first_error();
    return false;
  }
  for (const auto& dir : audit_dirs) {
    bool ok = for_each_audit_record(dir, [&](const nlohmann::json& r) {
      const std::string before = text(r, "decision_code");
      const Application* app = candidate.find_application(text(r, "application"));
      DecisionTime time;
      if (before.empty() || app == nullptr || !local_time_of(text(r, "time"), time)) {
        ++report.skipped;
        return;
      }
      InquiryRequest q;
      q.activity = text(r, "activity");
      q.case_reference = text(r, "case_reference");
      q.user = text(r, "user");
      q.source = text(r, "source");
      q.fields = r.value("fields_requested", std::vector<std::string>{});
      q.reason = text(r, "reason");
      q.break_glass = r.value("break_glass", false);
      name_subject(text(r, "search_key"), q);
      Decision d = decide(candidate, *app, q, time);
      ++report.replayed;
      const std::string after(name(d.status.code()));
      if (after != before)
        report.changes.push_back({text(r, "inquiry_id"), text(r, "time"), q.user, q.activity, q.source, before, after,
                                  d.status.message()});
    }, error);
    if (!ok) return false;
  }
  return true;
}

}  // namespace doelpoort
