// Reading the audit log for people: the data-subject access answer (AVG art. 15, "inzage") of
// `doelpoort audit query`, and the small pieces the read-side tools share (record times, local dates in the
// configured time zone, a period of days, whom an inquiry was about).
//
// Everything here reads logs only through audit_reader.h (for_each_inquiry); nothing writes to them.
#pragma once

#include <nlohmann/json.hpp>

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "audit_reader.h"
#include "register.h"

namespace doelpoort {

// --- times and periods -----------------------------------------------------------------------------------

/// True when `text` is a calendar date written YYYY-MM-DD.
bool is_iso_date(std::string_view text);

/// Seconds since the epoch of an RFC 3339 time as the log writes it ("2026-03-02T09:15:00.123456Z"; an
/// offset such as "+01:00" instead of "Z" is accepted too). False when `text` is not one.
bool parse_record_time(std::string_view text, std::time_t& seconds);

/// Makes `zone` (an IANA name such as Europe/Amsterdam) the process's local time zone until destroyed,
/// through TZ and tzset, so that localtime_r applies the C library's zone database (daylight saving time
/// included) rather than zone arithmetic of our own. TZ is process-wide: use from one thread only (the CLI
/// commands and tests do). Restores the previous TZ afterwards.
class ZoneScope {
 public:
  explicit ZoneScope(const std::string& zone);
  ~ZoneScope();
  ZoneScope(const ZoneScope&) = delete;
  ZoneScope& operator=(const ZoneScope&) = delete;

 private:
  bool had_tz_ = false;
  std::string previous_;
};

/// A moment in the current local time zone (see ZoneScope).
struct LocalTime {
  std::time_t epoch = 0;
  std::string date;    ///< YYYY-MM-DD
  std::string iso;     ///< RFC 3339 with the local offset, e.g. 2026-03-02T10:15:00+01:00
  std::string hhmm;    ///< 10:15
  int weekday = 0;     ///< 0 = Monday … 6 = Sunday
  int minute_of_day = 0;
};
LocalTime local_time_at(std::time_t t);

/// Today's date in the current local time zone.
std::string local_today();

/// `date` (YYYY-MM-DD) plus `days`.
std::string add_days(const std::string& date, int days);

/// An inclusive range of local dates; an empty end is open.
struct AuditPeriod {
  std::string from;  ///< YYYY-MM-DD or empty
  std::string to;    ///< YYYY-MM-DD or empty
  bool contains(const std::string& date) const {
    return (from.empty() || date >= from) && (to.empty() || date <= to);
  }
};

/// The person an inquiry was about, as a pseudonym: the decision's subject when named by BSN; for a search by
/// other keys the outcome's subject when it names the person the registry found. Empty when no person is known
/// (the subject of a search that found nobody is a pseudonym of its search terms: that names no one).
std::string person_of(const AuditedInquiry& q);

/// A string member of a record, or "" when absent or not a string.
std::string record_text(const nlohmann::json& record, const char* key);

// --- the access answer (inzage) ------------------------------------------------------------------------------

struct AccessRequest {
  std::string subject;  ///< the pseudonym of the person's BSN (Pseudonymiser::pseudonym)
  AuditPeriod period;   ///< local dates of the inquiries to include
  std::string as_of;    ///< YYYY-MM-DD: confidentiality ends are compared with this date (default: today)
  std::string timezone = "Europe/Amsterdam";
};

/// A category of personal data that was received.
struct AccessCategory {
  std::string id;
  std::string name;     ///< the register's name; the id when the register no longer has it
  std::string special;  ///< "", "art. 9" or "art. 10"
};

/// One inquiry that returned data about the person. Deliberately without user, case reference, application,
/// inquiry id or field values: the answer says what was received, from whom, why and on what basis.
struct AccessEntry {
  LocalTime time;
  std::string source;        ///< source service, e.g. BRPDossierPersoon
  std::string organisation;  ///< the register's organisation running that service (the service when unknown)
  std::vector<AccessCategory> categories;
  std::string activity_id;
  std::string activity_name;
  std::string purpose;
  std::string legal_basis;   ///< as recorded at the time of the inquiry
};

struct AccessAnswer {
  std::string organisation;  ///< from the register
  std::string controller;
  std::string contact;
  std::string register_version;
  std::string as_of;
  std::string timezone;
  AuditPeriod period;
  std::vector<AccessEntry> provided;  ///< permitted inquiries that returned data, oldest first
  std::size_t without_data = 0;       ///< permitted, but nothing about the person was received (not found, error)
  std::size_t refused = 0;            ///< denied: nothing was asked of any registry
};

/// Collects the access answer for `request` from the logs in `dirs`: every inquiry whose decision or outcome
/// names `request.subject`, inside the period. An inquiry of a confidential activity is left out entirely
/// (not listed, not counted) while its confidentiality lasts: until the later of the recorded
/// `confidential_until` and the inquiry's date plus the register's current `period_days` for the activity,
/// so a register that lengthened the period is honoured for old records too. It is shown from that date on.
/// Returns false and sets `error` when a log cannot be read.
bool answer_access_request(const std::vector<std::string>& dirs, const Register& reg, const AccessRequest& request,
                           AccessAnswer& answer, std::string& error);

/// The answer as JSON, in this shape (stable; members are always present, dates YYYY-MM-DD):
///   {"format": "doelpoort-inzage/1", "as_of": "2026-04-01", "timezone": "Europe/Amsterdam",
///    "period": {"from": "2026-01-01" | null, "to": "2026-03-31" | null},
///    "controller": {"organisation": "...", "controller": "...", "contact": "..."},
///    "register_version": "2026.12.0",
///    "inquiries": [{"time": "2026-03-02T10:15:00+01:00",
///                   "source": {"service": "BRPDossierPersoon", "organisation": "Basisregistratie Personen (BRP)"},
///                   "categories": [{"id": "identificatie", "name": "Identificatiegegevens", "special": null | "art. 9"}],
///                   "activity": {"id": "pw-recht-op-uitkering", "name": "...", "purpose": "..."},
///                   "legal_basis": "..."}],
///    "counts": {"provided": 1, "without_data": 0, "refused": 2}}
nlohmann::json access_answer_json(const AccessAnswer& answer);

/// The answer as a letter to the person: one self-contained HTML5 page in Dutch (lang="nl", inline CSS, no
/// scripts or external resources), "Inzage in de verwerking van uw persoonsgegevens", with a table of the
/// inquiries that returned data and the person's rights. Every text from the register or log is escaped.
std::string render_access_letter_html(const AccessAnswer& answer);

}  // namespace doelpoort
