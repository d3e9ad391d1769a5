// doelpoort serve: load and check everything, then listen until SIGTERM/SIGINT; SIGHUP reloads the policy.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "audit_log.h"
#include "commands.h"
#include "config.h"
#include "listener.h"
#include "log.h"
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

// The server certificate, client CA and CRL, loaded anew: a bad set keeps the running one.
void reload_tls(const GatewayConfig& config, Listener& listener) {
  std::string error;
  tls::CtxPtr fresh = tls::make_server_context(config.tls, error);
  if (!fresh) {
    log::error("tls_reload_rejected", {{"reason", error}});
    return;
  }
  listener.use_tls(fresh.get());
  log::info("tls_reloaded", {{"crl", config.tls.crl}});
}

// A new register, staff list or mapping is validated whole; a bad one keeps the running policy.
void reload(const std::string& config_path, Pipeline& pipeline, StateStore& state, const Pseudonymiser& pseudonymiser) {
  static std::atomic<int> rejected{0};
  Diagnostics diags;
  auto config = load_config(config_path, diags);
  auto snap = config ? load_snapshot(*config, diags) : nullptr;
  if (!snap) {
    log::error("reload_rejected", {{"reason", diags.first_error()}, {"errors", diags.error_count()},
                                   {"rejected_total", ++rejected}});
    return;
  }
  pipeline.publish(snap);
  log::info("reloaded", {{"register_version", snap->policy.reg->version}});
  std::string error;
  if (!load_caseload(*config, state, pseudonymiser, error)) log::error("caseload_rejected", {{"reason", error}});
}

int serve(const std::string& config_path, const std::string& port_file) {
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
  std::shared_ptr<AuditSink> audit = AuditLog::open(audit_options, error);
  if (!audit) throw StartupError("audit log: " + error);
  std::shared_ptr<StateStore> state = open_state_store(config.state, error);
  if (!state) throw StartupError("state: " + error);
  if (!load_caseload(config, *state, *pseudonymiser, error)) throw StartupError("caseload: " + error);
  UpstreamMap upstreams;
  for (const auto& [name, source] : config.sources) {
    auto up = HttpsUpstream::create(source, config.max_upstream_bytes, error);
    if (!up) throw StartupError(error);
    upstreams.emplace(name, std::move(up));
  }
  tls::CtxPtr server_tls = tls::make_server_context(config.tls, error);
  if (!server_tls) throw StartupError("tls: " + error);

  Pipeline pipeline({snapshot, audit, state, *pseudonymiser, std::move(upstreams), config.max_upstream_bytes,
                     std::chrono::seconds(config.replay_window_s)});
  Listener listener(pipeline, config, server_tls.get());
  if (!listener.bind(error)) throw StartupError(error);
  if (!port_file.empty()) write_port_file(port_file, listener.port());
  log::info("listening", {{"address", config.listen_host}, {"port", listener.port()},
                          {"register_version", snapshot->policy.reg->version},
                          {"activities", snapshot->policy.reg->activities.size()}, {"audit_dir", config.audit_dir}});

  std::thread signal_thread([&] {
    // The CRL is also reloaded on a timer: a CA publishes new CRLs without telling us.
    const timespec crl_interval{config.tls.crl.empty() ? 3600 : config.crl_reload_s, 0};
    while (true) {
      const int sig = sigtimedwait(&signals, nullptr, &crl_interval);
      if (sig < 0) {
        if (errno == EAGAIN && !config.tls.crl.empty()) reload_tls(config, listener);
        continue;
      }
      if (sig == SIGHUP) {
        reload(config_path, pipeline, *state, *pseudonymiser);
        reload_tls(config, listener);
        continue;
      }
      log::info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      listener.stop();
      return;
    }
  });
  listener.run();  // returns after stop(), once the workers have finished their connections
  signal_thread.join();
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
  app.add_option("--config", *config, "Configuration file")->capture_default_str();
  app.add_option("--port-file", *port_file, "Write the bound port here (useful with listen port 0)");
  app.callback([config, port_file, &exit_code] { exit_code = serve(*config, *port_file); });
}

}  // namespace doelpoort
