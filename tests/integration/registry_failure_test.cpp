// One slow or dead registry must not hurt the gateway or the other registries. Per way a registry can
// fail (a second simulator, started with --fault, plays BRP; the test's own simulator keeps UWV
// healthy): the inquiry gets a coded Fault within its timeout + 1 s, an inquiry to the healthy registry
// made meanwhile is answered quickly, the audit has the outcome with the code, and once the registry
// is healthy again (restarted on the same port) inquiries succeed without restarting the gateway.
// Then the circuit breaker: it opens after N failures and fails fast without touching the registry.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "harness.h"

namespace doelpoort::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kTimeoutMs = 1500;      // upstream timeout_ms: the deadline of a registry call
constexpr int kBreakerFailures = 3;
constexpr int kCooldownMs = 700;
constexpr auto kHealthyWithin = milliseconds(500);

constexpr const char* kBrpPath = "/suwibroker/soap/BRPDossierPersoonGSD-v0200";
constexpr const char* kUwvPath = "/suwibroker/soap/UWVDossierInkomstenGSD-v0200";

milliseconds since(Clock::time_point t0) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t0);
}

struct Timed {
  InquiryAnswer answer;
  milliseconds took{};
};

class RegistryFailureTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    // The harness's gateway talks to the healthy simulator only; each test starts its own, with a
    // short breaker cool-down, in the same place (gw-audit) so audit_records() reads it.
    ASSERT_EQ(gateway_->stop(), 0);
    gateway_.reset();
    std::filesystem::remove_all(dir_ + "/gw-audit");
  }

  /// Starts a simulator for BRP on `port` (0: any free one) presenting `cert`, with `fault` ("" for
  /// none); returns its port.
  int start_brp(const std::string& fault, int port = 0, const std::string& cert = "registry") {
    const std::string port_file = dir_ + "/brp.port";
    std::filesystem::remove(port_file);
    std::vector<std::string> argv{bin("doelpoort-sim"), "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                                  "--cert", pki(cert + ".crt"), "--key", pki(cert + ".key"), "--client-ca",
                                  pki("ca.crt"), "--port-file", port_file};
    if (!fault.empty()) argv.insert(argv.end(), {"--fault", fault});
    brp_ = Process::start(argv, dir_ + "/brp.log");
    for (int waited = 0; waited < 10000 && !std::filesystem::exists(port_file); waited += 10) {
      if (!brp_->running()) break;
      std::this_thread::sleep_for(milliseconds(10));
    }
    if (!std::filesystem::exists(port_file)) {
      ADD_FAILURE() << "BRP simulator did not start:\n" << read_file(dir_ + "/brp.log");
      return 0;
    }
    return std::stoi(read_file(port_file));
  }

  /// A gateway whose BRP registry is on `brp_port` and whose UWV registry on `uwv_port` (0: the
  /// harness's healthy simulator).
  void start_gateway_for(int brp_port, int uwv_port = 0) {
    GatewayOptions o;
    o.brp_url = "https://127.0.0.1:" + std::to_string(brp_port) + kBrpPath;
    o.uwv_url = "https://127.0.0.1:" + std::to_string(uwv_port != 0 ? uwv_port : sim_port_) + kUwvPath;
    o.upstream_timeout_ms = kTimeoutMs;
    o.audit_dir = dir_ + "/gw-audit";
    o.subject_key = dir_ + "/subject.key";
    std::string yaml = gateway_config_yaml(o);
    const std::string timeout_line = "    timeout_ms: " + std::to_string(kTimeoutMs) + "\n";
    const std::string resilience = timeout_line + "    connect_timeout_ms: 500\n    breaker_failures: " +
                                   std::to_string(kBreakerFailures) + "\n    breaker_cooldown_ms: " +
                                   std::to_string(kCooldownMs) + "\n";
    for (auto at = yaml.find(timeout_line); at != std::string::npos; at = yaml.find(timeout_line, at + resilience.size()))
      yaml.replace(at, timeout_line.size(), resilience);
    std::ofstream(dir_ + "/gw.yaml") << yaml;
    std::filesystem::remove(dir_ + "/gw.port");
    gateway_ = Process::start({bin("doelpoort"), "serve", "--config", dir_ + "/gw.yaml", "--port-file", dir_ + "/gw.port"},
                              dir_ + "/gw.log");
    for (int waited = 0; waited < 20000 && !std::filesystem::exists(dir_ + "/gw.port"); waited += 10) {
      ASSERT_TRUE(gateway_->running()) << read_file(dir_ + "/gw.log");
      std::this_thread::sleep_for(milliseconds(10));
    }
    port_ = std::stoi(read_file(dir_ + "/gw.port"));
    ASSERT_GT(port_, 0);
  }

  /// Replaces the BRP simulator by a healthy one on the same port: the registry has recovered.
  void recover_brp(int brp_port) {
    if (brp_) EXPECT_EQ(brp_->stop(), 0) << read_file(dir_ + "/brp.log");
    ASSERT_EQ(start_brp("", brp_port), brp_port);
  }

  InquiryRequest uwv_request() const {
    InquiryRequest r = permitted_request();
    r.source = "UWVDossierInkomsten";
    r.fields = {"werkgever_naam", "loon_sv"};
    return r;
  }

  static Timed timed_inquiry(InquiryClient& c, const InquiryRequest& r) {
    const auto t0 = Clock::now();
    Timed t{c.inquire(r), {}};
    t.took = since(t0);
    return t;
  }

  /// The outcome record of `inquiry_id`, or an empty object.
  nlohmann::json outcome_of(const std::string& inquiry_id) const {
    for (const auto& r : audit_records())
      if (r.value("kind", "") == "outcome" && r.value("inquiry_id", "") == inquiry_id) return r;
    return nlohmann::json::object();
  }

  std::unique_ptr<Process> brp_;
};

struct FailureCase {
  const char* name;
  const char* fault;  ///< --fault for the BRP simulator; "" for none
  const char* cert;   ///< the certificate it presents
  const char* code;   ///< the Fault code the inquiry must get
  bool listening;     ///< false: nothing listens (connection refused)
  friend void PrintTo(const FailureCase& c, std::ostream* os) { *os << c.name; }
};

class FailureModeTest : public RegistryFailureTest, public ::testing::WithParamInterface<FailureCase> {};

TEST_P(FailureModeTest, FaultyRegistryGetsACodedFaultInTimeOthersStayFastAndItRecoversWithoutRestart) {
  const FailureCase& fc = GetParam();
  int brp_port = start_brp(fc.fault, 0, fc.cert);
  ASSERT_GT(brp_port, 0);
  if (!fc.listening) {
    EXPECT_EQ(brp_->stop(), 0);  // its port is now free: connections are refused
    brp_.reset();
  }
  start_gateway_for(brp_port);
  if (HasFatalFailure()) return;

  // The faulty inquiry in a second thread; while it waits, one to the healthy registry.
  auto faulty_client = client("app-zaaksysteem");
  auto healthy_client = client("app-zaaksysteem");
  auto faulty = std::async(std::launch::async, [&] { return timed_inquiry(*faulty_client, permitted_request()); });
  std::this_thread::sleep_for(milliseconds(100));
  const Timed healthy = timed_inquiry(*healthy_client, uwv_request());
  const Timed bad = faulty.get();

  ASSERT_TRUE(bad.answer.transport_ok) << bad.answer.transport_error;
  EXPECT_TRUE(bad.answer.fault);
  EXPECT_EQ(bad.answer.fault_code, fc.code) << bad.answer.fault_string;
  EXPECT_LT(bad.took, milliseconds(kTimeoutMs + 1000));
  ASSERT_TRUE(healthy.answer.transport_ok) << healthy.answer.transport_error;
  EXPECT_FALSE(healthy.answer.fault) << healthy.answer.fault_code << ": " << healthy.answer.fault_string;
  EXPECT_EQ(healthy.answer.status, "FOUND");
  EXPECT_LT(healthy.took, kHealthyWithin);
  std::printf("[ timing   ] %-14s faulty inquiry %5lld ms (%s), healthy inquiry meanwhile %4lld ms\n", fc.name,
              static_cast<long long>(bad.took.count()), bad.answer.fault_code.c_str(),
              static_cast<long long>(healthy.took.count()));

  const nlohmann::json outcome = outcome_of(bad.answer.inquiry_id);
  EXPECT_EQ(outcome.value("code", ""), fc.code) << outcome.dump();
  if (fc.listening && std::string(fc.cert) == "registry")
    EXPECT_EQ(sim_stats(brp_port)["BRPDossierPersoonGSD"], 1) << "the request reached the registry once";

  recover_brp(brp_port);
  const Timed again = timed_inquiry(*faulty_client, permitted_request());
  ASSERT_TRUE(again.answer.transport_ok) << again.answer.transport_error;
  EXPECT_FALSE(again.answer.fault) << again.answer.fault_code << ": " << again.answer.fault_string;
  EXPECT_EQ(again.answer.status, "FOUND");
  EXPECT_EQ(sim_stats(brp_port)["BRPDossierPersoonGSD"], 1);
}

INSTANTIATE_TEST_SUITE_P(
    EveryWayToFail, FailureModeTest,
    ::testing::Values(FailureCase{"Hang", "hang", "registry", "UPSTREAM_UNAVAILABLE", true},
                      FailureCase{"SlowDrip", "slow", "registry", "UPSTREAM_UNAVAILABLE", true},
                      FailureCase{"ResetMidAnswer", "reset", "registry", "UPSTREAM_UNAVAILABLE", true},
                      FailureCase{"CloseWithoutAnswer", "close", "registry", "UPSTREAM_UNAVAILABLE", true},
                      FailureCase{"Garbage", "garbage", "registry", "UPSTREAM_ERROR", true},
                      FailureCase{"Http500Html", "http500", "registry", "UPSTREAM_ERROR", true},
                      FailureCase{"FaultInHttp200", "fault200", "registry", "UPSTREAM_ERROR", true},
                      FailureCase{"WrongTlsName", "", "registry-wrongname", "UPSTREAM_UNAVAILABLE", true},
                      FailureCase{"ConnectionRefused", "", "registry", "UPSTREAM_UNAVAILABLE", false}),
    [](const ::testing::TestParamInfo<FailureCase>& info) { return std::string(info.param.name); });

TEST_F(RegistryFailureTest, CircuitOpensAfterRepeatedFailuresFailsFastWithoutTheRegistryAndRecovers) {
  const int brp_port = start_brp("http500:BRPDossierPersoonGSD-v0200");
  ASSERT_GT(brp_port, 0);
  start_gateway_for(brp_port);
  if (HasFatalFailure()) return;
  auto c = client("app-zaaksysteem");
  for (int i = 0; i < kBreakerFailures; ++i)
    EXPECT_EQ(c->inquire(permitted_request()).fault_code, "UPSTREAM_ERROR") << i;
  EXPECT_EQ(sim_stats(brp_port)["BRPDossierPersoonGSD"], kBreakerFailures);

  const Timed fast = timed_inquiry(*c, permitted_request());
  EXPECT_EQ(fast.answer.fault_code, "UPSTREAM_CIRCUIT_OPEN") << fast.answer.fault_string;
  EXPECT_LT(fast.took, milliseconds(50));
  std::printf("[ timing   ] circuit open: inquiry failed fast in %lld ms\n", static_cast<long long>(fast.took.count()));
  EXPECT_EQ(sim_stats(brp_port)["BRPDossierPersoonGSD"], kBreakerFailures) << "an open circuit never calls";
  EXPECT_EQ(outcome_of(fast.answer.inquiry_id).value("code", ""), "UPSTREAM_CIRCUIT_OPEN");
  const Timed other = timed_inquiry(*c, uwv_request());
  EXPECT_FALSE(other.answer.fault) << "the other registry's breaker is its own: " << other.answer.fault_code;

  recover_brp(brp_port);
  std::this_thread::sleep_for(milliseconds(kCooldownMs + 100));
  const Timed probe = timed_inquiry(*c, permitted_request());
  EXPECT_FALSE(probe.answer.fault) << probe.answer.fault_code << ": " << probe.answer.fault_string;
  EXPECT_EQ(probe.answer.status, "FOUND");
  EXPECT_EQ(c->inquire(permitted_request()).status, "FOUND") << "closed again";
  EXPECT_EQ(sim_stats(brp_port)["BRPDossierPersoonGSD"], 2);
}

TEST_F(RegistryFailureTest, FaultNamedForOneServiceLeavesTheSimulatorsOtherServiceAndStatsAlone) {
  const int faulty = start_brp("hang:BRPDossierPersoonGSD-v0200");
  ASSERT_GT(faulty, 0);
  start_gateway_for(faulty, faulty);  // both services on the faulty simulator
  if (HasFatalFailure()) return;
  auto c = client("app-zaaksysteem");
  const Timed uwv = timed_inquiry(*c, uwv_request());
  EXPECT_FALSE(uwv.answer.fault) << uwv.answer.fault_code << ": " << uwv.answer.fault_string;
  EXPECT_LT(uwv.took, kHealthyWithin);
  EXPECT_EQ(c->inquire(permitted_request()).fault_code, "UPSTREAM_UNAVAILABLE");
  const nlohmann::json stats = sim_stats(faulty);  // GET answers in every fault mode
  EXPECT_EQ(stats["BRPDossierPersoonGSD"], 1);
  EXPECT_EQ(stats["UWVDossierInkomstenGSD"], 1);
}

}  // namespace
}  // namespace doelpoort::testing
