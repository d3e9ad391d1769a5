// `doelpoort audit report`: the privacy officer's usage report over one or more audit logs, as one
// self-contained HTML page with inline SVG charts (no scripts). The indicators are those of Suwinet's monthly
// usage reports: inquiries per activity, source and day; refusals by code; break-glass inquiries with their
// reasons; the share outside office hours; searches without a BSN; the most active users (by inquiries and by
// distinct persons); the most-queried persons (pseudonyms, shortened); inquiries left incomplete.
//
// Two steps: build_audit_report counts (testable on its own), render_report_html only presents.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "audit_query.h"
#include "register.h"

namespace doelpoort {

/// Office hours for the report's "outside office hours" indicator: Monday to Friday 07:00-19:00 local time,
/// Suwinet's norm (independent of any activity's own office_hours rule).
inline constexpr OfficeHours kReportOfficeHours{0x1f, 7 * 60, 19 * 60};

struct ReportOptions {
  AuditPeriod period;                          ///< local dates to include
  std::string timezone = "Europe/Amsterdam";   ///< the configured `timezone`
  std::size_t top = 10;                        ///< rows in the "top" tables
};

/// One row of a count: an activity, source, day, code or search key.
struct ReportCount {
  std::string key;    ///< activity id, source service, YYYY-MM-DD, code or search key
  std::string label;  ///< for people: the activity's name, the source's organisation, the day's weekday
  std::size_t inquiries = 0;
  std::size_t denied = 0;
};

/// One inquiry in a list (break-glass, search without BSN, incomplete). For the privacy officer: with user
/// and case reference, never the subject.
struct ReportInquiry {
  LocalTime time;
  std::string inquiry_id;
  std::string user;
  std::string activity;
  std::string activity_name;
  std::string case_reference;
  std::string source;
  std::string search_key;
  std::string code;
  std::string reason;
};

struct ReportUser {
  std::string user;
  std::size_t inquiries = 0;
  std::size_t denied = 0;
  std::size_t subjects = 0;  ///< distinct persons
  std::size_t outside_office_hours = 0;
  std::size_t break_glass = 0;
};

struct ReportSubject {
  std::string pseudonym;  ///< shortened: the first 12 hex digits and an ellipsis
  std::size_t inquiries = 0;
  std::size_t users = 0;  ///< distinct users who asked about this person
};

struct AuditReport {
  std::string organisation;
  std::string register_version;
  std::string timezone;
  std::vector<std::string> logs;
  AuditPeriod period;      ///< as asked
  std::string first_date;  ///< of the inquiries counted
  std::string last_date;

  std::size_t inquiries = 0;
  std::size_t permitted = 0;
  std::size_t denied = 0;
  std::size_t failed = 0;      ///< permitted, but not answered (registry error, …; incomplete ones included)
  std::size_t incomplete = 0;  ///< permitted, and no outcome was ever recorded
  std::size_t break_glass = 0;
  std::size_t outside_office_hours = 0;
  std::size_t non_bsn = 0;     ///< subject named by other search keys than the BSN
  std::size_t subjects = 0;    ///< distinct persons
  std::size_t users = 0;       ///< distinct users

  std::vector<ReportCount> per_activity;      ///< most inquiries first
  std::vector<ReportCount> per_source;        ///< most inquiries first
  std::vector<ReportCount> per_day;           ///< every day of the period (or of the log), in order
  std::vector<ReportCount> denials_by_code;   ///< refused inquiries per code, most first
  std::vector<ReportCount> failures_by_code;  ///< permitted but not answered, per code
  std::vector<ReportCount> search_keys;       ///< searches without a BSN, per search key
  std::vector<ReportInquiry> break_glass_inquiries;  ///< all, oldest first
  std::vector<ReportInquiry> non_bsn_inquiries;      ///< all, oldest first
  std::vector<ReportInquiry> incomplete_inquiries;   ///< all, oldest first
  std::vector<ReportUser> top_users_by_inquiries;
  std::vector<ReportUser> top_users_by_subjects;
  std::vector<ReportSubject> top_subjects;

  /// outside_office_hours / inquiries (0 when there are none).
  double outside_office_hours_share() const {
    return inquiries == 0 ? 0.0 : static_cast<double>(outside_office_hours) / static_cast<double>(inquiries);
  }
};

/// Counts the inquiries of the logs in `dirs` inside `options.period` (local dates in `options.timezone`).
/// `reg` (may be null) gives activity and organisation names. False with `error` when a log cannot be read.
bool build_audit_report(const std::vector<std::string>& dirs, const Register* reg, const ReportOptions& options,
                        AuditReport& report, std::string& error);

/// One self-contained HTML5 page (lang="nl", inline CSS and SVG, no scripts, no external resources); every
/// chart's numbers are in a table too, and every text from the log or register is escaped.
std::string render_report_html(const AuditReport& report);

}  // namespace doelpoort
