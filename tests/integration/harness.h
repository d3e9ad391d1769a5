// Integration harness: starts the real `doelpoort-sim` and `doelpoort` binaries on free loopback ports
// with the test PKI (made by the make_test_pki ctest fixture), and talks to them as a client would.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client.h"
#include "upstream.h"

namespace doelpoort::testing {

/// A child process with stdout+stderr in a log file; SIGTERM (then SIGKILL) when destroyed.
class Process {
 public:
  /// `in_child` runs in the child before exec (e.g. to set a resource limit).
  static std::unique_ptr<Process> start(const std::vector<std::string>& argv, const std::string& log_file,
                                        const std::function<void()>& in_child = {});
  ~Process();
  /// Sends `sig` and waits up to `timeout_ms`; returns the exit status, or -1 if it had to be killed.
  int stop(int sig = 15, int timeout_ms = 10000);
  bool running();
  pid_t pid() const { return pid_; }
  const std::string& log_file() const { return log_; }

 private:
  pid_t pid_ = -1;
  std::string log_;
  int status_ = -1;
};

/// A loopback TCP listener that counts who connects (and closes at once): an XXE or DTD reference to it
/// must never make the gateway call it.
class Tripwire {
 public:
  Tripwire();
  ~Tripwire();
  Tripwire(const Tripwire&) = delete;
  Tripwire& operator=(const Tripwire&) = delete;
  int port() const { return port_; }
  int hits() const { return hits_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> hits_{0};
  std::thread thread_;
};

/// A process's peak resident set size (VmHWM) in KiB, or -1.
long peak_rss_kib(pid_t pid);

std::string pki(const std::string& name);  ///< a file of the test PKI
std::string bin(const std::string& name);  ///< a built binary
std::string source(const std::string& rel);  ///< a file in the source tree
std::string read_file(const std::string& path);
/// Waits (up to `timeout`) until `path` contains `text`, such as a line a server logs after a reply; returns it.
bool file_will_contain(const std::string& path, const std::string& text,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// Runs a command to completion; returns its exit status and (stdout+stderr) output.
int run_command(const std::vector<std::string>& argv, std::string& output);

struct GatewayOptions {
  std::string brp_url;      ///< default: the test's simulator
  std::string uwv_url;
  std::vector<std::string> zaaksysteem_activities = {"pw-recht-op-uitkering", "pw-re-integratie",
                                                     "pw-bijzondere-bijstand", "pw-terugvordering",
                                                     "pw-fraudeonderzoek"};
  int upstream_timeout_ms = 3000;
  std::string state = "memory";
  std::string caseload;     ///< optional caseload CSV
  std::string shadow_register;  ///< optional candidate register (shadow mode)
  std::string limits;           ///< extra lines under `limits:` (each "  key: value\n")
  int workers = 8;
  std::string crl = pki("ca.crl");
  std::string register_file = source("config/register.yaml");
  std::string admin;        ///< optional `admin:` block lines (each "  key: value\n"); the bound admin port
                            ///< is written to <test dir>/<name>.admin.port
  std::string audit_dir;    ///< set by start_gateway
  std::string subject_key;  ///< set by start_gateway
};

/// A complete gateway configuration (absolute paths, test PKI, listen port 0) for `o`.
std::string gateway_config_yaml(const GatewayOptions& o);

/// A fresh simulator and gateway per test, in their own temporary folder.
class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Writes a gateway configuration into the test folder and starts a gateway with it.
  std::unique_ptr<Process> start_gateway(const GatewayOptions& options, int& port, const std::string& name = "gw",
                                         const std::function<void()>& in_child = {});
  std::unique_ptr<InquiryClient> client(const std::string& cert_name, int port = 0);
  /// The shipped register without its volume limits, for tests that make many inquiries.
  std::string register_without_volume_limits();
  /// A permitted request under pw-recht-op-uitkering for a person the simulator knows.
  InquiryRequest permitted_request() const;
  /// A simulator's request counters (GET /_sim/stats); by default the test's own simulator.
  nlohmann::json sim_stats(int port = 0, const std::string& host = "127.0.0.1");
  /// A raw POST to the gateway with our own envelope and SOAPAction.
  UpstreamReply raw_post(const std::string& body, const std::string& soap_action);
  std::vector<nlohmann::json> audit_records() const;

  std::string dir_;
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> gateway_;
  int sim_port_ = 0;
  int port_ = 0;
  std::string known_bsn_;   ///< a person in the simulated population
  std::string absent_bsn_;  ///< a valid BSN the simulator does not know
};

}  // namespace doelpoort::testing
