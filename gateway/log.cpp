#include "log.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "inquiry.h"

namespace doelpoort::log {
namespace {

std::atomic<Level> g_min_level{Level::Info};

constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

}  // namespace

void set_min_level(Level level) { g_min_level = level; }

void write(Level level, std::string_view event, nlohmann::json fields) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  nlohmann::json line = {{"time", rfc3339_now()},
                         {"level", kLevelNames[static_cast<int>(level)]},
                         {"event", event}};
  if (fields.is_object()) line.update(fields);
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
    std::memset(v6.s6_addr + 6, 0, 10);
    char out[INET6_ADDRSTRLEN];
    return inet_ntop(AF_INET6, &v6, out, sizeof out) ? out : "";
  }
  return "";
}

}  // namespace doelpoort::log
