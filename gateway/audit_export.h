// `doelpoort audit export`: the audit log in other organisations' shapes. One format so far: the Dutch
// "Logboek Dataverwerkingen" (LDV, Logius/VNG; spans in the OpenTelemetry model), one JSON object per line
// per inquiry. The mapping from our records to its fields is documented in audit_export.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit_reader.h"

namespace doelpoort {

struct LdvOptions {
  /// The published register's address (`doelpoort register publish --format html`). When set,
  /// dpl.core.processing_activity_id is the URI of the activity there (REGISTER_URL#verwerking-<id>), as the
  /// standard asks for a reference into the register; when empty it is the bare activity id.
  std::string register_url;
};

/// The LDV log line (span) of one inquiry.
nlohmann::json ldv_span(const AuditedInquiry& q, const LdvOptions& options);

/// What an export wrote.
struct ExportSummary {
  std::size_t lines = 0;
  std::size_t derived_ids = 0;  ///< inquiries whose records had no trace/span id (ids derived from the inquiry id)
};

using ExportWriter = bool (*)(const std::vector<std::string>& dirs, const LdvOptions& options, std::ostream& out,
                              ExportSummary& summary, std::string& error);

/// The formats of `doelpoort audit export`, in one table.
struct ExportFormat {
  const char* name;
  const char* description;
  ExportWriter write;
};
std::span<const ExportFormat> export_formats();
/// The format called `name`, or null.
const ExportFormat* find_export_format(std::string_view name);

/// Writes one LDV line per inquiry of the logs in `dirs` to `out`, in the order their decisions were written.
bool export_ldv(const std::vector<std::string>& dirs, const LdvOptions& options, std::ostream& out,
                ExportSummary& summary, std::string& error);

}  // namespace doelpoort
