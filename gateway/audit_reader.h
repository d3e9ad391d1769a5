// Reading audit logs back (reports, review, replay, access answers): every record of every segment, in
// order, and the records of one inquiry joined.
//
// The records an inquiry leaves (see audit_log.h for how they are sealed):
//   kind "decision"  always, durable before any registry is called: time, inquiry_id, message_id,
//                    application, client_cn, user, activity, activity_version, register_version, purpose,
//                    legal_basis, case_reference, source, search_key, subject (pseudonym), fields_requested,
//                    categories_requested, decision ("permit"/"deny"), decision_code, code (the final code
//                    when denied; absent when permitted), message, break_glass, reason,
//                    confidential_until (YYYY-MM-DD, for a confidential activity), shadow (shadow mode)
//   kind "outcome"   for a permitted inquiry, durable before the reply: time, inquiry_id, code, message,
//                    fields_returned, fields_withheld, categories_returned, upstream_status, found
//                    ("yes"/"no"), duration_us, subject (the person found, when searched otherwise)
// Other kinds ("purge", see audit purge) carry no inquiry.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

namespace doelpoort {

/// The segment files (segment-*.jsonl) of the log in `dir`, in order.
std::vector<std::filesystem::path> audit_segments(const std::string& dir, std::error_code& ec);

/// One segment file's text, split where its records end. The gateway writes its active segment over
/// newlines written ahead (padding, see audit_log.h) and cuts them off at roll-over and at a clean stop, so
/// a segment's records end at its end of file or at its first empty line, whichever comes first.
/// What follows them and is not padding is a write a crash cut short (never durable, so never
/// acknowledged): a last line without its newline, an unsealed line just before the padding, or bytes
/// after it (the disk kept a later page of the last write but not an earlier one).
struct SegmentText {
  std::string records;    ///< whole lines, each with its '\n'
  std::string torn;       ///< the bytes of a write cut short, up to the last that is not padding; or empty
  std::size_t padded = 0;  ///< bytes after `records` (torn bytes and padding): what recovery cuts off
};
/// Reads `file`; false (and `ec`) when it cannot.
bool read_segment(const std::filesystem::path& file, SegmentText& out, std::error_code& ec);

/// A part of the log: a segment of records, or what is left of a purged one (its leaf hashes, in
/// DIR/purged/segment-*.leaves; see audit_purge.h).
struct AuditPart {
  std::uint64_t first_seq = 0;
  std::filesystem::path path;
  bool purged = false;
};
/// Every part of the log in `dir`, in sequence order.
std::vector<AuditPart> audit_parts(const std::string& dir, std::error_code& ec);

/// One inquiry's records. `outcome` is null for a denied inquiry (the decision record is final) and for a
/// permitted one whose outcome never became durable (the gateway stopped while the registry was asked).
struct AuditedInquiry {
  nlohmann::json decision;
  nlohmann::json outcome;
  /// The outcome's code; for a denial the decision's; "INCOMPLETE" when permitted without an outcome.
  std::string final_code() const;
};

/// Calls `visit` with each inquiry of the logs in `dirs`, in the order their decisions were written.
bool for_each_inquiry(const std::vector<std::string>& dirs, const std::function<void(const AuditedInquiry&)>& visit,
                      std::string& error);

/// Calls `visit` with each whole record of the log in `dir` (a torn last line is skipped). Returns false
/// and sets `error` when the folder cannot be read or a line is not JSON (run `audit verify` first).
bool for_each_audit_record(const std::string& dir, const std::function<void(const nlohmann::json&)>& visit,
                           std::string& error);

}  // namespace doelpoort
