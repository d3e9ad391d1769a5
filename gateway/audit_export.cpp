// The Logboek Dataverwerkingen (LDV) export.
//
// Source: the LDV standard of Logius (github.com/Logius-standaarden/logboek-dataverwerkingen,
// sections/03-specificaties/02-component-logboek.md: the log line's fields and `status_code`;
// 03-component-applicatie.md: one trace per processing, one line per action and per data subject,
// pseudonymise the subject id; the MinBZK design decision "geen gebruikers in logregels": no user data in
// log lines, the user stays in the organisation's own audit log, linked through the ids).
//
// One inquiry is one processing (Dataverwerking) with one action: one line, as doelpoort's decision record
// opened the trace for it. Mapping, field by field:
//
//   LDV field                         from the audit records
//   trace_id (16 bytes, hex)          decision.trace_id
//   span_id (8 bytes, hex)            decision.span_id
//   name                              decision.activity (the processing activity the action served);
//                                     "doelpoort-inquiry" when the request named none (refused unread)
//   start_time                        decision.time   } RFC 3339 in UTC with milliseconds (the standard's
//   end_time                          outcome.time    } "timestamp (ms)"; its examples write RFC 3339).
//                                     A denied inquiry ends with its decision; an incomplete one (no outcome
//                                     was ever recorded) has no known end: its decision time, with ERROR.
//   status_code                       STATUS_CODE_OK     permitted and answered (found or not found);
//                                     STATUS_CODE_ERROR  failed inside the processing: a Server-side code
//                                                        (codes.h: registry unavailable or in error, state
//                                                        store or audit unavailable, internal error), or
//                                                        incomplete;
//                                     STATUS_CODE_UNSET  refused on the caller's input (a Client-side code:
//                                                        not permitted, malformed): the standard reserves
//                                                        Error for internal failures and gives a processing
//                                                        "handled without error although the input was not
//                                                        right" Unset.
//   attributes:
//     dpl.core.processing_activity_id decision.activity, or REGISTER_URL#verwerking-<id> with --register-url
//                                     (the standard's type is a URI into the register; publish writes that
//                                     anchor for each activity). Absent when the request named no activity.
//     dpl.core.data_subject_id        the person's pseudonym (HMAC-SHA-256 of the BSN, audit_query.h
//                                     person_of): the standard asks for an encrypted or pseudonymised id.
//     dpl.core.data_subject_id_type   "BSN": what the pseudonym identifies. Both are absent when no person is
//                                     known (a search by name or address that found nobody: its pseudonym is
//                                     of the search terms; the standard allows a line with no data subject).
//     exception.type                  the final code, on an ERROR line only (the standard's error attributes;
//                                     no message: messages can quote the request).
//   resource.attributes.service.name  "doelpoort" (the standard's optional resource: which system acted)
//
// Not filled, because doelpoort cannot fill them truthfully: parent_span_id (the inquiry is the root action
// in doelpoort), foreign_operation / dpl.core.foreign_operation.* (callers send WS-Addressing, no W3C trace
// context), and no user, case reference, application or field names (LDV keeps users out of log lines; the
// audit log itself holds them, found through trace_id).
#include "audit_export.h"

#include <array>
#include <cstdio>

#include "audit_query.h"
#include "codes.h"

namespace doelpoort {
namespace {

bool is_hex(const std::string& s, std::size_t size) {
  if (s.size() != size) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return size > 0 && s != std::string(size, '0');  // all zeros is W3C's invalid id
}

// "2026-03-02T09:15:00.123Z" for the recorded time, or the text as recorded when it cannot be read.
std::string utc_millis(const std::string& recorded) {
  std::time_t seconds = 0;
  if (!parse_record_time(recorded, seconds)) return recorded;
  int millis = 0;
  if (auto dot = recorded.find_first_of(".,", 19); dot != std::string::npos) {
    int digits = 0;
    for (std::size_t i = dot + 1; i < recorded.size() && recorded[i] >= '0' && recorded[i] <= '9' && digits < 3; ++i, ++digits)
      millis = millis * 10 + (recorded[i] - '0');
    for (; digits < 3; ++digits) millis *= 10;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

// The publish page's anchor for an activity (purposelimit/publish.cpp): [a-z0-9-] only.
std::string activity_anchor(const std::string& id) {
  std::string out = "verwerking-";
  for (char ch : id) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    out += keep ? ch : (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : '-';
  }
  return out;
}

const char* status_code_of(const std::string& final_code) {
  if (final_code == "OK") return "STATUS_CODE_OK";
  const auto code = code_from_name(final_code);
  if (code && info(*code).side == Side::Client) return "STATUS_CODE_UNSET";
  return "STATUS_CODE_ERROR";  // Server side, INCOMPLETE, or a code this build does not know
}

// The inquiry id is a UUID (128 bits): when a record predates trace ids, it gives stable ones.
bool derive_ids(const AuditedInquiry& q, std::string& trace_id, std::string& span_id) {
  std::string hex;
  for (char c : record_text(q.decision, "inquiry_id"))
    if (c != '-') hex += static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  if (!is_hex(hex, 32)) return false;
  trace_id = hex;
  span_id = hex.substr(16);
  return true;
}

}  // namespace

nlohmann::json ldv_span(const AuditedInquiry& q, const LdvOptions& options) {
  const nlohmann::json& d = q.decision;
  const std::string activity = record_text(d, "activity");
  const std::string final_code = q.final_code();
  const char* status = status_code_of(final_code);
  const std::string start = utc_millis(record_text(d, "time"));
  const std::string end = q.outcome.is_object() && !record_text(q.outcome, "time").empty()
                              ? utc_millis(record_text(q.outcome, "time"))
                              : start;
  nlohmann::json attributes = nlohmann::json::object();
  if (!activity.empty())
    attributes["dpl.core.processing_activity_id"] =
        options.register_url.empty() ? activity : options.register_url + "#" + activity_anchor(activity);
  if (const std::string person = person_of(q); !person.empty()) {
    attributes["dpl.core.data_subject_id"] = person;
    attributes["dpl.core.data_subject_id_type"] = "BSN";
  }
  if (std::string_view(status) == "STATUS_CODE_ERROR") attributes["exception.type"] = final_code;
  std::string trace_id = record_text(d, "trace_id"), span_id = record_text(d, "span_id");
  if (!is_hex(trace_id, 32) || !is_hex(span_id, 16)) derive_ids(q, trace_id, span_id);
  return {{"trace_id", trace_id},
          {"span_id", span_id},
          {"name", activity.empty() ? "doelpoort-inquiry" : activity},
          {"start_time", start},
          {"end_time", end},
          {"status_code", status},
          {"resource", {{"attributes", {{"service.name", "doelpoort"}}}}},
          {"attributes", std::move(attributes)}};
}

bool export_ldv(const std::vector<std::string>& dirs, const LdvOptions& options, std::ostream& out,
                ExportSummary& summary, std::string& error) {
  const bool ok = for_each_inquiry(dirs, [&](const AuditedInquiry& q) {
    const std::string trace_id = record_text(q.decision, "trace_id"), span_id = record_text(q.decision, "span_id");
    if (!is_hex(trace_id, 32) || !is_hex(span_id, 16)) ++summary.derived_ids;
    out << ldv_span(q, options).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    ++summary.lines;
  }, error);
  if (ok && !out) {
    error = "cannot write the export";
    return false;
  }
  return ok;
}

namespace {
constexpr ExportFormat kFormats[] = {
    {"ldv", "Logboek Dataverwerkingen (Logius): one JSON span per inquiry per line", export_ldv},
};
}  // namespace

std::span<const ExportFormat> export_formats() { return kFormats; }

const ExportFormat* find_export_format(std::string_view name) {
  for (const auto& f : kFormats)
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace doelpoort
