#include "audit_reader.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <unordered_map>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit_log.h"

namespace doelpoort {

std::vector<std::filesystem::path> audit_segments(const std::string& dir, std::error_code& ec) {
  std::vector<std::filesystem::path> segments;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind("segment-", 0) == 0 && e.path().extension() == ".jsonl")
      segments.push_back(e.path());
  std::sort(segments.begin(), segments.end());  // zero-padded first sequence numbers sort in order
  return segments;
}

std::vector<AuditPart> audit_parts(const std::string& dir, std::error_code& ec) {
  std::vector<AuditPart> parts;
  auto first_seq = [](const std::filesystem::path& p) {
    return std::strtoull(p.filename().string().c_str() + std::string_view("segment-").size(), nullptr, 10);
  };
  for (auto& s : audit_segments(dir, ec)) parts.push_back({first_seq(s), s, false});
  if (ec) return parts;
  const std::string purged = dir + "/purged";
  if (std::filesystem::exists(purged, ec))
    for (const auto& e : std::filesystem::directory_iterator(purged, ec))
      if (e.path().filename().string().rfind("segment-", 0) == 0 && e.path().extension() == ".leaves")
        parts.push_back({first_seq(e.path()), e.path(), true});
  std::sort(parts.begin(), parts.end(), [](const AuditPart& a, const AuditPart& b) { return a.first_seq < b.first_seq; });
  return parts;
}

bool read_segment(const std::filesystem::path& file, SegmentText& out, std::error_code& ec) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    ec = std::make_error_code(std::errc::no_such_file_or_directory);
    return false;
  }
  std::string s{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) {
    ec = std::make_error_code(std::errc::io_error);
    return false;
  }
  // The records end at the first empty line, or at the end of the file.
  std::size_t end = s.size();
  if (!s.empty() && s[0] == '\n')
    end = 0;
  else if (const std::size_t blank = s.find("\n\n"); blank != std::string::npos)
    end = blank + 1;
  // Their last line is cut short when it has no newline, or, with padding after it, no seal.
  std::size_t cut = end;
  if (end > 0) {
    const std::size_t nl = end >= 2 ? s.rfind('\n', end - 2) : std::string::npos;  // before the last line
    const std::size_t last = nl == std::string::npos ? 0 : nl + 1;
    std::string body, hash;
    if (s[end - 1] != '\n' || (end < s.size() && !unseal_line(s.substr(last, end - 1 - last), body, hash))) cut = last;
  }
  const std::size_t torn_end = s.find_last_not_of('\n');
  out.torn = torn_end == std::string::npos || torn_end < cut ? std::string() : s.substr(cut, torn_end + 1 - cut);
  out.padded = s.size() - cut;
  s.resize(cut);
  out.records = std::move(s);
  return true;
}

bool for_each_audit_record(const std::string& dir, const std::function<void(const nlohmann::json&)>& visit,
                           std::string& error) {
  std::error_code ec;
  const auto segments = audit_segments(dir, ec);
  if (ec) {
    error = dir + ": " + ec.message();
    return false;
  }
  SegmentText text;
  for (const auto& file : segments) {
    if (!read_segment(file, text, ec)) {
      error = file.string() + ": " + ec.message();
      return false;
    }
    std::istringstream in(std::move(text.records));  // a torn last write is left out
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      auto record = nlohmann::json::parse(line, nullptr, false);
      if (!record.is_object()) {
        error = file.string() + ":" + std::to_string(n) + ": not a JSON record";
        return false;
      }
      visit(record);
    }
  }
  return true;
}

std::string AuditedInquiry::final_code() const {
  if (outcome.is_object()) return outcome.value("code", "");
  if (decision.value("decision", "") == "deny") return decision.value("code", "");
  return "INCOMPLETE";
}

bool for_each_inquiry(const std::vector<std::string>& dirs, const std::function<void(const AuditedInquiry&)>& visit,
                      std::string& error) {
  // Decisions wait here for their outcome, in decision order; a denial is complete at once.
  std::deque<AuditedInquiry> pending;
  std::unordered_map<std::string, std::size_t> index;  // inquiry id -> position in pending (from base)
  std::size_t base = 0;
  auto flush_ready = [&] {
    while (!pending.empty() && (pending.front().outcome.is_object() || pending.front().decision.value("decision", "") == "deny")) {
      index.erase(pending.front().decision.value("inquiry_id", ""));
      visit(pending.front());
      pending.pop_front();
      ++base;
    }
  };
  for (const auto& dir : dirs) {
    bool ok = for_each_audit_record(dir, [&](const nlohmann::json& r) {
      const std::string kind = r.value("kind", "");
      const std::string id = r.value("inquiry_id", "");
      if (kind == "decision") {
        index[id] = base + pending.size();
        pending.push_back({r, nullptr});
      } else if (kind == "outcome") {
        auto it = index.find(id);
        if (it != index.end()) pending[it->second - base].outcome = r;
      }
      flush_ready();
    }, error);
    if (!ok) return false;
  }
  for (const auto& p : pending) visit(p);  // permitted, never completed
  return true;
}

}  // namespace doelpoort
