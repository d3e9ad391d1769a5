// doelpoort serve: load and check everything, then listen until SIGTERM/SIGINT; SIGHUP reloads the policy.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "admin_server.h"
#include "audit_log.h"
#include "cert_expiry.h"
#include "commands.h"
#include "config.h"
#include "health.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "pipeline.h"
#include "state.h"
#include "snapshot.h"
#include "stdsoap2.h"
#include "xml_safe.h"

namespace doelpoort {
namespace {

struct StartupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

GatewayConfig must_load_config(const std::string& path) {
  Diagnostics diags;
  auto config = load_config(path, diags);
  print_diagnostics(diags);
  if (!config) throw StartupError(diags.first_error());
  return *config;
}

std::shared_ptr<const Snapshot> must_load_snapshot(const GatewayConfig& config) {
  Diagnostics diags;
  auto snap = load_snapshot(config, diags);
  print_diagnostics(diags);
  if (!snap) throw StartupError(diags.first_error() + " (and " + std::to_string(diags.error_count() - 1) + " more)");
  return snap;
}

void write_port_file(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << port << "\n";
  std::filesystem::rename(tmp, path);  // readers never see a half-written file
}

// The caseload file, when configured, replaces the cases it names in the state store.
bool load_caseload(const GatewayConfig& config, StateStore& state, const Pseudonymiser& pseudonymiser,
                   std::string& error) {
  if (config.caseload_file.empty()) return true;
  Diagnostics diags;
  auto caseload = read_caseload(config.caseload_file, diags);
  if (!caseload) {
    error = diags.first_error();
    return false;
  }
  if (Status s = import_caseload(state, *caseload, pseudonymiser); !s) {
    error = s.message();
    return false;
  }
  log::info("caseload_imported", {{"cases", caseload->size()}});
  return true;
}

// When the server certificate, the client CA and the CRL in use run out (for the expiry gauges).
void note_tls_expiry(const tls::ServerConfig& tls, Metrics& metrics, std::atomic<std::int64_t>& crl_next_update) {
  if (const auto t = certs::earliest_not_after(tls.certificate))
    metrics.gauge(MetricId::CertificateExpiry, {"server"}).Set(static_cast<double>(*t));
  if (const auto t = certs::earliest_not_after(tls.client_ca))
    metrics.gauge(MetricId::CertificateExpiry, {"client_ca"}).Set(static_cast<double>(*t));
  if (tls.crl.empty()) return;
  if (const auto t = certs::crl_next_update(tls.crl)) {
    crl_next_update = *t;
    metrics.gauge(MetricId::CrlNextUpdate).Set(static_cast<double>(*t));
  }
}

// The server certificate, client CA and CRL, loaded anew: a bad set keeps the running one.
void reload_tls(const GatewayConfig& config, Listener& listener, Metrics& metrics,
                std::atomic<std::int64_t>& crl_next_update) {
  std::string error;
  tls::CtxPtr fresh = tls::make_server_context(config.tls, error);
  if (!fresh) {
    metrics.counter(MetricId::TlsReloads, {"rejected"}).Increment();
    log::error("tls_reload_rejected", {{"reason", error}});
    return;
  }
  listener.use_tls(fresh.get());
  metrics.counter(MetricId::TlsReloads, {"ok"}).Increment();
  note_tls_expiry(config.tls, metrics, crl_next_update);
  log::info("tls_reloaded", {{"crl", config.tls.crl}});
}

// A new register, staff list or mapping is validated whole; a bad one keeps the running policy.
void reload(const std::string& config_path, Pipeline& pipeline, StateStore& state, const Pseudonymiser& pseudonymiser,
            Metrics& metrics) {
  static std::atomic<int> rejected{0};
  Diagnostics diags;
  auto config = load_config(config_path, diags);
  auto snap = config ? load_snapshot(*config, diags) : nullptr;
  if (!snap) {
    metrics.counter(MetricId::RegisterReloads, {"rejected"}).Increment();
    log::error("reload_rejected", {{"reason", diags.first_error()}, {"errors", diags.error_count()},
                                   {"rejected_total", ++rejected}});
    return;
  }
  pipeline.publish(snap);
  metrics.counter(MetricId::RegisterReloads, {"ok"}).Increment();
  metrics.register_loaded(snap->policy.reg->version);
  log::info("reloaded", {{"register_version", snap->policy.reg->version}});
  std::string error;
  if (!load_caseload(*config, state, pseudonymiser, error)) log::error("caseload_rejected", {{"reason", error}});
}

// Gauges that mirror state, refreshed when /metrics is scraped (so the request path never touches them).
void refresh_on_scrape(Metrics& metrics, const Listener& listener, const Pipeline& pipeline, const AuditSink& audit,
                       StateStore& state, const std::atomic<std::int64_t>& crl_next_update) {
  metrics.gauge(MetricId::ConnectionsOpen).Set(static_cast<double>(listener.stats().open.load()));
  for (const auto& [source, upstream] : pipeline.upstreams()) {
    const UpstreamHealth h = upstream->health();
    const RegistryMetrics& r = metrics.registry(source);
    for (std::size_t i = 0; i < r.circuit.size(); ++i)
      r.circuit[i]->Set(static_cast<std::size_t>(h.breaker.state) == i ? 1 : 0);
    r.in_flight->Set(h.in_flight);
  }
  metrics.gauge(MetricId::AuditHealthy).Set(audit.healthy() ? 1 : 0);
  metrics.gauge(MetricId::StateStoreUp).Set(state.healthy() ? 1 : 0);
  if (const std::int64_t next = crl_next_update.load(); next != 0)
    metrics.gauge(MetricId::CrlExpired).Set(std::time(nullptr) > next ? 1 : 0);
}

int serve(const std::string& config_path, const std::string& port_file, const std::string& admin_port_file) {
  const auto started = std::chrono::steady_clock::now();
  // Signals are taken by one thread with sigwait; block them before any other thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // SSL_write uses write(2), which would raise it on a closed peer
  signal(SIGXFSZ, SIG_IGN);  // a file-size limit must fail the audit write (fail closed), not kill us
  soap_ssl_init();
  xml::init();
  // Every open client connection is a descriptor: use as many as the hard limit allows.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  const GatewayConfig config = must_load_config(config_path);
  Metrics metrics{std::string(gateway_version())};  // outlives everything that counts into it
  std::atomic<std::int64_t> crl_next_update{0};
  // Office hours and volume periods are local time: fix the zone before any thread reads it.
  setenv("TZ", config.timezone.c_str(), 1);
  tzset();
  auto snapshot = must_load_snapshot(config);

  std::string error;
  auto pseudonymiser = Pseudonymiser::open(config.subject_key_file, /*create=*/true, error);
  if (!pseudonymiser) throw StartupError(error);
  AuditOptions audit_options;
  audit_options.dir = config.audit_dir;
  audit_options.signing_key = config.audit_signing_key;
  audit_options.tree_head_every = config.tree_head_every;
  audit_options.tree_head_interval = std::chrono::milliseconds(config.tree_head_interval_ms);
  audit_options.group_commit_delay = std::chrono::microseconds(config.group_commit_delay_us);
  audit_options.group_commit_min_waiting = config.group_commit_min_waiting;
  audit_options.metrics = &metrics.audit();
  std::shared_ptr<AuditSink> audit = AuditLog::open(audit_options, error);
  if (!audit) throw StartupError("audit log: " + error);
  std::shared_ptr<StateStore> state = open_state_store(config.state, error);
  if (!state) throw StartupError("state: " + error);
  if (!load_caseload(config, *state, *pseudonymiser, error)) throw StartupError("caseload: " + error);
  UpstreamMap upstreams;
  for (const auto& [name, source] : config.sources) {
    auto up = HttpsUpstream::create(source, config.max_upstream_bytes, error, &metrics.registry(name));
    if (!up) throw StartupError(error);
    if (const auto t = certs::earliest_not_after(source.tls.certificate))
      metrics.gauge(MetricId::CertificateExpiry, {"client:" + name}).Set(static_cast<double>(*t));
    upstreams.emplace(name, std::move(up));
  }
  tls::CtxPtr server_tls = tls::make_server_context(config.tls, error);
  if (!server_tls) throw StartupError("tls: " + error);

  note_tls_expiry(config.tls, metrics, crl_next_update);
  metrics.register_loaded(snapshot->policy.reg->version);
  for (const char* result : {"ok", "rejected"}) {  // present from the start, so rate() and alerts see 0
    metrics.counter(MetricId::RegisterReloads, {result});
    metrics.counter(MetricId::TlsReloads, {result});
  }

  PipelineParts parts{snapshot, audit, state, *pseudonymiser, std::move(upstreams), config.max_upstream_bytes,
                      std::chrono::seconds(config.replay_window_s)};
  parts.metrics = &metrics;
  Pipeline pipeline(std::move(parts));
  Listener listener(pipeline, config, server_tls.get(), &metrics.listener());
  if (!listener.bind(error)) throw StartupError(error);
  metrics.on_scrape([&] { refresh_on_scrape(metrics, listener, pipeline, *audit, *state, crl_next_update); });

  std::unique_ptr<AdminServer> admin;
  if (config.admin.enabled) {
    const HealthParts health{&pipeline, audit.get(), state.get(), config.state == "memory" ? "memory" : "redis"};
    admin = std::make_unique<AdminServer>(
        config.admin, AdminServer::Handlers{[&metrics] { return metrics.serialize(); },
                                            [started] { return liveness(started); },
                                            [health](bool& ready) { return readiness(health, ready); }});
    if (!admin->bind(error)) throw StartupError(error);
    if (config.admin.tls)
      if (const auto t = certs::earliest_not_after(config.admin.tls->certificate))
        metrics.gauge(MetricId::CertificateExpiry, {"admin"}).Set(static_cast<double>(*t));
    admin->start();
    if (!admin_port_file.empty()) write_port_file(admin_port_file, admin->port());
    log::info("admin_listening", {{"address", config.admin.listen_host}, {"port", admin->port()},
                                  {"tls", config.admin.tls.has_value()}});
  }
  if (!port_file.empty()) write_port_file(port_file, listener.port());
  log::info("listening", {{"address", config.listen_host}, {"port", listener.port()},
                          {"register_version", snapshot->policy.reg->version},
                          {"activities", snapshot->policy.reg->activities.size()}, {"audit_dir", config.audit_dir}});

  std::thread signal_thread([&] {
    pthread_setname_np(pthread_self(), "dp-signals");
    // The CRL is also reloaded on a timer: a CA publishes new CRLs without telling us.
    const timespec crl_interval{config.tls.crl.empty() ? 3600 : config.crl_reload_s, 0};
    while (true) {
      const int sig = sigtimedwait(&signals, nullptr, &crl_interval);
      if (sig < 0) {
        if (errno == EAGAIN && !config.tls.crl.empty()) reload_tls(config, listener, metrics, crl_next_update);
        continue;
      }
      if (sig == SIGHUP) {
        reload(config_path, pipeline, *state, *pseudonymiser, metrics);
        reload_tls(config, listener, metrics, crl_next_update);
        continue;
      }
      log::info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      listener.stop();
      return;
    }
  });
  listener.run();  // returns after stop(), once the workers have finished their connections
  signal_thread.join();
  if (admin) admin->stop();
  const ListenerStats& st = listener.stats();
  log::info("stopped", {{"connections_accepted", st.accepted.load()}, {"requests", st.requests.load()},
                        {"handshake_failed", st.handshake_failed.load()}, {"handshake_timeouts", st.handshake_timeouts.load()},
                        {"idle_closed", st.idle_closed.load()}, {"refused_total_cap", st.refused_total_cap.load()},
                        {"refused_peer_cap", st.refused_peer_cap.load()}});
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto config = std::make_shared<std::string>(kDefaultConfig);
  auto port_file = std::make_shared<std::string>();
  auto admin_port_file = std::make_shared<std::string>();
  app.add_option("--config", *config, "Configuration file")->capture_default_str();
  app.add_option("--port-file", *port_file, "Write the bound port here (useful with listen port 0)");
  app.add_option("--admin-port-file", *admin_port_file,
                 "Write the admin listener's bound port here (useful with admin listen port 0)");
  app.callback([config, port_file, admin_port_file, &exit_code] {
    exit_code = serve(*config, *port_file, *admin_port_file);
  });
}

}  // namespace doelpoort
