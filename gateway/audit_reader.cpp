#include "audit_reader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace doelpoort {

std::vector<std::filesystem::path> audit_segments(const std::string& dir, std::error_code& ec) {
  std::vector<std::filesystem::path> segments;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind("segment-", 0) == 0 && e.path().extension() == ".jsonl")
      segments.push_back(e.path());
  std::sort(segments.begin(), segments.end());  // zero-padded first sequence numbers sort in order
  return segments;
}

bool for_each_audit_record(const std::string& dir, const std::function<void(const nlohmann::json&)>& visit,
                           std::string& error) {
  std::error_code ec;
  const auto segments = audit_segments(dir, ec);
  if (ec) {
    error = dir + ": " + ec.message();
    return false;
  }
  for (const auto& file : segments) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (in.eof()) break;  // torn last write
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

}  // namespace doelpoort
