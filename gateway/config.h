// The gateway's own configuration (config/doelpoort.yaml): where it listens, its TLS material, where the
// register, staff list and mappings are, the audit folder, the registered applications and how to reach
// each source. Relative paths are resolved against the directory of the configuration file.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics.h"
#include "policy.h"
#include "tls_context.h"

namespace doelpoort {

struct SourceConfig {
  std::string name;
  std::string url;   ///< https://host:port/path
  std::string host;  ///< from url; the registry's certificate must name it
  tls::ClientConfig tls;
  int timeout_ms = 5000;  ///< deadline of a whole call: connect (and its one retry), send and receive
  int connections = 16;   ///< keep-alive connections kept per registry (default: max_concurrent)
  int connect_timeout_ms = 1000;    ///< TCP connect + TLS handshake, per attempt (within timeout_ms)
  int max_concurrent = 16;          ///< calls in flight at once; default half the gateway's workers
  int breaker_failures = 5;         ///< consecutive failures that open the circuit breaker
  int breaker_cooldown_ms = 10000;  ///< how long an open breaker fails fast before it lets one probe through
};

/// The admin listener (admin_server.h): GET /metrics, /healthz, /readyz. Plain HTTP on loopback unless
/// `tls` is given, which requires clients to present a certificate from its client CA (mutual TLS).
struct AdminConfig {
  bool enabled = false;  ///< an `admin` block is present; without one there is no admin listener
  std::string listen_host = "127.0.0.1";
  int listen_port = 9180;  ///< 0 picks a free port (serve --admin-port-file tells which)
  std::optional<tls::ServerConfig> tls;
};

struct GatewayConfig {
  std::string file;
  std::string listen_host = "127.0.0.1";
  int listen_port = 8443;
  std::string public_url;  ///< address published in the WSDL
  int workers = 32;
  int handshake_timeout_ms = 2000;
  int idle_timeout_ms = 15000;
  int max_keep_alive = 10000;  ///< requests per connection
  int request_timeout_ms = 10000;  ///< to receive one whole request once its first bytes arrived
  int max_connections = 4096;      ///< open client connections, in all
  int max_connections_per_peer = 1024;  ///< open client connections from one IP address
  int crl_reload_s = 300;               ///< reload the CRL this often (and on SIGHUP)
  long max_request_bytes = 64 * 1024;
  long max_upstream_bytes = 4 * 1024 * 1024;
  tls::ServerConfig tls;
  std::string register_file;
  std::string staff_file;
  std::string mappings_dir;
  std::string state = "memory";  ///< "memory" or "redis://[user[:password]@]host:port[/db]"
  std::string timezone = "Europe/Amsterdam";  ///< local time for office hours and volume periods
  int replay_window_s = 900;     ///< how long a wsa:MessageID is remembered
  std::string shadow_register;   ///< optional candidate register decided beside the live one, not enforced
  std::string caseload_file;     ///< optional caseload CSV, imported at start and on SIGHUP
  std::string audit_dir;
  std::string subject_key_file;
  std::string audit_signing_key;        ///< Ed25519 key for the audit log's signed tree heads
  std::uint64_t tree_head_every = 1000;  ///< records between signed tree heads, at most
  int tree_head_interval_ms = 1000;      ///< time between signed tree heads, at most
  int group_commit_delay_us = 600;       ///< under load, the least time between audit syncs (audit_log.h)
  int group_commit_min_waiting = 8;      ///< callers waiting for the audit log that make "under load"
  std::vector<Application> applications;
  std::map<std::string, SourceConfig> sources;
  AdminConfig admin;
};

/// Loads and checks `path`; reports every problem and returns nullopt when there was any error.
std::optional<GatewayConfig> load_config(const std::string& path, Diagnostics& diags);

/// Splits "https://host:port/path" (port defaults to 443). Returns false when malformed.
bool split_https_url(const std::string& url, std::string& host, int& port, std::string& path);

}  // namespace doelpoort
