#include "config.h"

#include <algorithm>
#include <cctype>

#include <unistd.h>

#include "yaml_reader.h"

namespace doelpoort {

bool split_https_url(const std::string& url, std::string& host, int& port, std::string& path) {
  constexpr std::string_view kScheme = "https://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) return false;
  std::string rest = url.substr(kScheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  path = slash == std::string::npos ? "/" : rest.substr(slash);
  port = 443;
  auto colon = authority.rfind(':');
  if (colon != std::string::npos) {
    std::string digits = authority.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return false;
    port = std::stoi(digits);
    authority.resize(colon);
  }
  host = authority;
  return !host.empty() && port > 0 && port < 65536;
}

namespace {

bool split_listen(const std::string& listen, std::string& host, int& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return false;
  host = listen.substr(0, colon);
  port = std::stoi(digits);
  return port < 65536;
}

void read_tls(const YamlReader& y, const YAML::Node& n, GatewayConfig& c) {
  if (!y.check_map(n, "tls", {"certificate", "key", "client_ca"}, {"crl", "crl_reload_s"})) return;
  c.crl_reload_s = static_cast<int>(y.integer(n, "crl_reload_s", c.crl_reload_s, 1, 86400));
  c.tls.certificate = resolve_path(c.file, y.string(n, "certificate"));
  c.tls.key = resolve_path(c.file, y.string(n, "key"));
  c.tls.client_ca = resolve_path(c.file, y.string(n, "client_ca"));
  c.tls.crl = resolve_path(c.file, y.string(n, "crl", false));
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

void read_admin(const YamlReader& y, const YAML::Node& n, GatewayConfig& c) {
  if (!y.check_map(n, "admin", {}, {"listen", "tls"})) return;
  c.admin.enabled = true;
  if (n["listen"] && !split_listen(y.string(n, "listen"), c.admin.listen_host, c.admin.listen_port))
    y.error(n["listen"], "admin listen must be host:port");
  if (const YAML::Node t = n["tls"]) {
    if (y.check_map(t, "admin tls", {"certificate", "key", "client_ca"}, {"crl"})) {
      tls::ServerConfig s;
      s.certificate = resolve_path(c.file, y.string(t, "certificate"));
      s.key = resolve_path(c.file, y.string(t, "key"));
      s.client_ca = resolve_path(c.file, y.string(t, "client_ca"));
      s.crl = resolve_path(c.file, y.string(t, "crl", false));
      c.admin.tls = s;
    }
  } else if (!is_loopback(c.admin.listen_host)) {
    y.warning(n["listen"], "admin listener on " + c.admin.listen_host +
                               " without tls: anyone who can reach it reads the metrics and health");
  }
}

void read_applications(const YamlReader& y, const YAML::Node& list, GatewayConfig& c) {
  if (!list.IsSequence()) {
    y.error(list, "applications must be a list");
    return;
  }
  for (const auto& n : list) {
    if (!y.check_map(n, "application", {"id", "activities"}, {"oin", "cn", "fingerprint"})) continue;
    Application app;
    app.id = y.string(n, "id");
    app.oin = y.string(n, "oin", false);
    app.cn = y.string(n, "cn", false);
    app.fingerprint = y.string(n, "fingerprint", false);
    std::erase(app.fingerprint, ':');
    std::transform(app.fingerprint.begin(), app.fingerprint.end(), app.fingerprint.begin(), ::tolower);
    if (app.oin.empty() && app.cn.empty()) y.error(n, "application \"" + app.id + "\": needs an oin or a cn");
    for (auto& a : y.strings(n, "activities")) app.activities.insert(std::move(a));
    if (std::any_of(c.applications.begin(), c.applications.end(), [&](const auto& o) { return o.id == app.id; }))
      y.error(n["id"], "application \"" + app.id + "\" is defined twice");
    c.applications.push_back(std::move(app));
  }
}

void read_sources(const YamlReader& y, const YAML::Node& map, GatewayConfig& c) {
  if (!map.IsMap()) {
    y.error(map, "sources must map each source name to its connection");
    return;
  }
  for (const auto& kv : map) {
    const std::string name = kv.first.Scalar();
    const YAML::Node n = kv.second;
    const std::string what = "source \"" + name + "\"";
    if (!y.check_map(n, what, {"url", "ca", "certificate", "key"},
                     {"crl", "timeout_ms", "connections", "connect_timeout_ms", "max_concurrent", "breaker_failures",
                      "breaker_cooldown_ms"}))
      continue;
    SourceConfig s;
    s.name = name;
    s.url = y.string(n, "url");
    std::string path;
    int port = 0;
    if (!split_https_url(s.url, s.host, port, path)) y.error(n["url"], what + ": url must be https://host[:port]/path");
    s.tls.ca = resolve_path(c.file, y.string(n, "ca"));
    s.tls.crl = resolve_path(c.file, y.string(n, "crl", false));
    s.tls.certificate = resolve_path(c.file, y.string(n, "certificate"));
    s.tls.key = resolve_path(c.file, y.string(n, "key"));
    s.tls.host = s.host;
    s.timeout_ms = static_cast<int>(y.integer(n, "timeout_ms", 5000, 10, 600000));
    s.connect_timeout_ms = static_cast<int>(y.integer(n, "connect_timeout_ms", 1000, 10, 600000));
    // A registry may hold at most half the workers by default: a hanging one cannot starve the others.
    s.max_concurrent = static_cast<int>(y.integer(n, "max_concurrent", std::max(1, c.workers / 2), 1, 4096));
    // Keep as many connections as may be in use at once: a smaller pool closes one after each busy call
    // and pays a new TLS handshake for the next (bench/compare measured 115-139 per 1000 inquiries).
    s.connections = static_cast<int>(y.integer(n, "connections", s.max_concurrent, 1, 4096));
    if (s.max_concurrent >= c.workers && n["max_concurrent"])
      y.warning(n["max_concurrent"], what + ": max_concurrent " + std::to_string(s.max_concurrent) +
                                         " >= workers " + std::to_string(c.workers) +
                                         ": a hanging registry can occupy every worker");
    s.breaker_failures = static_cast<int>(y.integer(n, "breaker_failures", 5, 1, 1000));
    s.breaker_cooldown_ms = static_cast<int>(y.integer(n, "breaker_cooldown_ms", 10000, 10, 3600000));
    c.sources.emplace(name, std::move(s));
  }
}

}  // namespace

std::optional<GatewayConfig> load_config(const std::string& path, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  auto y = YamlReader::open(path, diags);
  if (!y) return std::nullopt;
  const YAML::Node root = y->root();
  if (!y->check_map(root, "configuration",
                    {"listen", "tls", "register", "staff", "mappings", "audit", "applications", "sources"},
                    {"public_url", "workers", "state", "limits", "timezone", "replay_window_s", "shadow_register",
                     "caseload", "admin"}))
    return std::nullopt;

  GatewayConfig c;
  c.file = path;
  if (!split_listen(y->string(root, "listen"), c.listen_host, c.listen_port))
    y->error(root["listen"], "listen must be host:port");
  c.public_url = y->string(root, "public_url", false);
  if (c.public_url.empty()) c.public_url = "https://localhost:" + std::to_string(c.listen_port) + "/";
  c.workers = static_cast<int>(y->integer(root, "workers", 32, 1, 4096));
  c.state = root["state"] ? y->string(root, "state") : "memory";
  if (c.state != "memory" && c.state.rfind("redis://", 0) != 0)
    y->error(root["state"], "state must be \"memory\" or redis://host:port");
  if (root["timezone"]) c.timezone = y->string(root, "timezone");
  if (::access(("/usr/share/zoneinfo/" + c.timezone).c_str(), R_OK) != 0)
    y->error(root["timezone"] ? root["timezone"] : root, "unknown time zone \"" + c.timezone + "\"");
  c.replay_window_s = static_cast<int>(y->integer(root, "replay_window_s", c.replay_window_s, 10, 7 * 86400));
  if (root["shadow_register"]) c.shadow_register = resolve_path(path, y->string(root, "shadow_register"));
  if (root["caseload"]) c.caseload_file = resolve_path(path, y->string(root, "caseload"));

  if (const YAML::Node limits = root["limits"]) {
    if (y->check_map(limits, "limits", {},
                     {"max_request_bytes", "max_upstream_bytes", "handshake_timeout_ms", "idle_timeout_ms",
                      "max_keep_alive", "request_timeout_ms", "max_connections", "max_connections_per_peer"})) {
      c.max_request_bytes = y->integer(limits, "max_request_bytes", c.max_request_bytes, 1024, 16L << 20);
      c.max_upstream_bytes = y->integer(limits, "max_upstream_bytes", c.max_upstream_bytes, 1024, 256L << 20);
      c.handshake_timeout_ms = static_cast<int>(y->integer(limits, "handshake_timeout_ms", c.handshake_timeout_ms, 100, 60000));
      c.idle_timeout_ms = static_cast<int>(y->integer(limits, "idle_timeout_ms", c.idle_timeout_ms, 100, 3600000));
      c.max_keep_alive = static_cast<int>(y->integer(limits, "max_keep_alive", c.max_keep_alive, 1, 1000000));
      c.request_timeout_ms = static_cast<int>(y->integer(limits, "request_timeout_ms", c.request_timeout_ms, 100, 600000));
      c.max_connections = static_cast<int>(y->integer(limits, "max_connections", c.max_connections, 1, 1000000));
      c.max_connections_per_peer =
          static_cast<int>(y->integer(limits, "max_connections_per_peer", c.max_connections_per_peer, 1, 1000000));
    }
  }
  read_tls(*y, root["tls"], c);
  c.register_file = resolve_path(path, y->string(root, "register"));
  c.staff_file = resolve_path(path, y->string(root, "staff"));
  c.mappings_dir = resolve_path(path, y->string(root, "mappings"));
  const YAML::Node audit = root["audit"];
  if (y->check_map(audit, "audit", {"dir", "subject_key", "signing_key"}, {"tree_head_every", "tree_head_interval_ms", "group_commit_delay_us",
                                                                        "group_commit_min_waiting"})) {
    c.audit_dir = resolve_path(path, y->string(audit, "dir"));
    c.subject_key_file = resolve_path(path, y->string(audit, "subject_key"));
    c.audit_signing_key = resolve_path(path, y->string(audit, "signing_key"));
    c.tree_head_every = static_cast<std::uint64_t>(y->integer(audit, "tree_head_every", 1000, 1, 10000000));
    c.tree_head_interval_ms = static_cast<int>(y->integer(audit, "tree_head_interval_ms", 1000, 10, 3600000));
    c.group_commit_delay_us = static_cast<int>(y->integer(audit, "group_commit_delay_us", c.group_commit_delay_us, 0, 100000));
    c.group_commit_min_waiting =
        static_cast<int>(y->integer(audit, "group_commit_min_waiting", c.group_commit_min_waiting, 1, 1000000));
  }
  if (root["admin"]) read_admin(*y, root["admin"], c);
  read_applications(*y, root["applications"], c);
  read_sources(*y, root["sources"], c);
  if (diags.error_count() != errors_before) return std::nullopt;
  return c;
}

}  // namespace doelpoort
