#include "log.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "bsn.h"
#include "inquiry.h"

namespace doelpoort::log {
namespace {

std::atomic<Level> g_min_level{Level::Info};

constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

void mask_strings(nlohmann::json& value) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s.size() >= 9) value = mask_bsns(s);
  } else if (value.is_structured()) {
    for (auto& member : value) mask_strings(member);
  }
}

}  // namespace

void set_min_level(Level level) { g_min_level = level; }

void write(Level level, std::string_view event, nlohmann::json fields) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  nlohmann::json line = {{"time", rfc3339_now()},
                         {"level", kLevelNames[static_cast<int>(level)]},
                         {"event", event}};
  if (fields.is_object()) {
    mask_strings(fields);
    line.update(fields);
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  // One write(2) per line, so lines from different threads never interleave.
  ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
  (void)n;
}

std::string anonymise_ip(std::string_view address) {
  std::string a(address);
  in_addr v4{};
  if (inet_pton(AF_INET, a.c_str(), &v4) == 1) {
    auto* b = reinterpret_cast<unsigned char*>(&v4.s_addr);
    b[2] = b[3] = 0;
    char out[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &v4, out, sizeof out) ? out : "";
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, a.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      char v4text[INET_ADDRSTRLEN];
      if (inet_ntop(AF_INET, v6.s6_addr + 12, v4text, sizeof v4text) == nullptr) return "";
      return anonymise_ip(v4text);
    }
    std::memset(v6.s6_addr + 6, 0, 10);
    char out[INET6_ADDRSTRLEN];
    return inet_ntop(AF_INET6, &v6, out, sizeof out) ? out : "";
  }
  return "";
}

std::string mask_bsns(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size();) {
    if (out[i] < '0' || out[i] > '9') {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
    const bool standalone = (i == 0 || !is_alnum(out[i - 1])) && (end == out.size() || !is_alnum(out[end]));
    if (standalone && end - i == 9 && is_valid_bsn(std::string_view(out).substr(i, 9))) out.replace(i, 9, 9, '*');
    i = end;
  }
  return out;
}

}  // namespace doelpoort::log
