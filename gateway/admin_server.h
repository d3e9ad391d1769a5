// The admin listener: what Prometheus, load balancers and the integration team ask the gateway.
//
//   GET /metrics   the Prometheus text format 0.0.4 (metrics.h)
//   GET /healthz   200 {"status":"alive",…} while the process serves at all
//   GET /readyz    200 {"status":"ready",…} or 503 {"status":"not_ready",…} with every check (health.h)
//   anything else  404 (405 for another method on a known path)
//
// Plain HTTP on loopback by default (AdminConfig); with `admin.tls` clients must present a certificate
// from its client CA, under the same TLS policy as the SOAP port (tls_context.h).
//
// Why gSOAP's fget hook rather than a hand-written HTTP server or prometheus-cpp's civetweb exposer:
// the request parsing, its limits and the TLS handshake are the same hardened code the SOAP port runs
// (no second HTTP parser to audit), and civetweb would be a second web server in the process. One
// thread serves one request per connection (Connection: close) with 3 s send/receive timeouts, so a
// client that connects and says nothing delays the next scrape by at most that; the port is meant for
// loopback and a scraper, not for the public.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "config.h"
#include "tls_context.h"

struct soap;

namespace doelpoort {

class AdminServer {
 public:
  struct Handlers {
    std::function<std::string()> metrics;                    ///< the text exposition
    std::function<nlohmann::json()> liveness;                ///< /healthz body
    std::function<nlohmann::json(bool& ready)> readiness;    ///< /readyz body; sets `ready`
  };

  AdminServer(const AdminConfig& config, Handlers handlers);
  ~AdminServer();  ///< stops and joins the thread
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  /// Sets up TLS (when configured) and binds; port 0 picks a free port (see port()).
  bool bind(std::string& error);
  int port() const { return port_; }
  /// Serves on a thread of its own until stop().
  void start();
  void stop();

 private:
  void run();
  static int on_get(struct soap* soap);
  static int on_other_method(struct soap* soap);

  AdminConfig config_;
  Handlers handlers_;
  tls::CtxPtr tls_;
  struct soap* soap_ = nullptr;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace doelpoort
