// Reading audit logs back (reports, review, replay): every record of every segment, in order.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

namespace doelpoort {

/// The segment files (segment-*.jsonl) of the log in `dir`, in order.
std::vector<std::filesystem::path> audit_segments(const std::string& dir, std::error_code& ec);

/// Calls `visit` with each whole record of the log in `dir` (a torn last line is skipped). Returns false
/// and sets `error` when the folder cannot be read or a line is not JSON (run `audit verify` first).
bool for_each_audit_record(const std::string& dir, const std::function<void(const nlohmann::json&)>& visit,
                           std::string& error);

}  // namespace doelpoort
