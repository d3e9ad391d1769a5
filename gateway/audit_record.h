// One audit record as compact JSON text, written member by member.
//
// Why not nlohmann::json here: records are built once per inquiry on the request path, and building a
// json DOM then dumping it costs ~10 µs and dozens of allocations per record (measured with
// bench/audit_bench); this writes the same JSON straight into one string. Reading records back still
// uses nlohmann::json. Strings are escaped per RFC 8259, and invalid UTF-8 becomes U+FFFD, so every
// record is valid JSON whatever the input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace doelpoort {

class AuditRecord {
 public:
  AuditRecord() { text_.reserve(1024); text_ = "{"; }
  AuditRecord& add(std::string_view key, std::string_view value);
  AuditRecord& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  AuditRecord& add(std::string_view key, const std::string& value) { return add(key, std::string_view(value)); }
  AuditRecord& add(std::string_view key, std::int64_t value);
  AuditRecord& add(std::string_view key, bool value);
  AuditRecord& add(std::string_view key, const std::vector<std::string>& values);
  /// `json` must be a complete, valid JSON value (e.g. an object dumped by nlohmann::json).
  AuditRecord& add_json(std::string_view key, std::string_view json);

  /// The record's members so far, without the closing brace (the log appends "prev", "seq" and "hash").
  const std::string& open_body() const { return text_; }
  std::string take_open_body() { return std::move(text_); }

 private:
  void key(std::string_view k);
  std::string text_;
};

/// Appends `s` to `out` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view s);

}  // namespace doelpoort
