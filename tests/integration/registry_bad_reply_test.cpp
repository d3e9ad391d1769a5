// Hostile input from the other side: the bad-input catalogue of bad_input_test.cpp, served by a registry
// as its HTTP 200 reply to the gateway's POST (a second simulator plays BRP with a hostile --fault; the
// test's own simulator keeps UWV healthy). Per payload: the case worker gets a coded Fault quickly,
// nothing of the payload (or of the file an XXE names) reaches the reply or the audit record, a loopback
// listener named by an XXE or DTD sees no connection, the audit log verifies, the gateway's peak memory
// stays bounded, and it answers a normal inquiry right after.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.h"

namespace doelpoort::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kTimeoutMs = 3000;  // upstream timeout_ms
// Above the 10 MiB attribute, so that it reaches the XML parser; below the 20 MiB oversize answers.
constexpr long kMaxUpstreamBytes = 16L << 20;
constexpr long kMaxPeakRssKib = 200 * 1024;

constexpr const char* kBrpPath = "/suwibroker/soap/BRPDossierPersoonGSD-v0200";
constexpr const char* kUwvPath = "/suwibroker/soap/UWVDossierInkomstenGSD-v0200";
constexpr const char* kSecret = "SECRET-doelpoort-7f3a9c";

// What no reply or audit record may hold: the payloads' values, the secret file, /etc/passwd.
constexpr const char* kPayloadMarks[] = {kSecret, "root:", "lollol", "Broerzus", "AAAAAAAA", "OOOOOOOO", "diep",
                                         "Pe\xef\xbf\xbd"};

enum class Target { kNone, kSecretFile, kTripwire };

struct BadReply {
  const char* name;
  const char* fault;  ///< the BRP simulator's --fault mode
  Target xxe_target;  ///< what --xxe-uri names
  friend void PrintTo(const BadReply& c, std::ostream* os) { *os << c.name; }
};

class RegistryBadReplyTest : public IntegrationTest, public ::testing::WithParamInterface<BadReply> {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_EQ(gateway_->stop(), 0);  // each test starts its own gateway, for the hostile registry
    gateway_.reset();
    std::filesystem::remove_all(dir_ + "/gw-audit");
  }

  int start_brp(const std::string& fault, const std::string& xxe_uri) {
    const std::string port_file = dir_ + "/brp.port";
    std::vector<std::string> argv{bin("doelpoort-sim"), "serve", "--listen", "127.0.0.1:0", "--cert", pki("registry.crt"),
                                  "--key", pki("registry.key"), "--client-ca", pki("ca.crt"), "--port-file", port_file,
                                  "--fault", fault + ":BRPDossierPersoonGSD"};
    if (!xxe_uri.empty()) argv.insert(argv.end(), {"--xxe-uri", xxe_uri});
    brp_ = Process::start(argv, dir_ + "/brp.log");
    for (int waited = 0; waited < 10000 && !std::filesystem::exists(port_file) && brp_->running(); waited += 10)
      std::this_thread::sleep_for(milliseconds(10));
    if (!std::filesystem::exists(port_file)) {
      ADD_FAILURE() << "BRP simulator did not start:\n" << read_file(dir_ + "/brp.log");
      return 0;
    }
    return std::stoi(read_file(port_file));
  }

  void start_gateway_for(int brp_port) {
    GatewayOptions o;
    o.brp_url = "https://127.0.0.1:" + std::to_string(brp_port) + kBrpPath;
    o.uwv_url = "https://127.0.0.1:" + std::to_string(sim_port_) + kUwvPath;
    o.upstream_timeout_ms = kTimeoutMs;
    o.limits = "  max_upstream_bytes: " + std::to_string(kMaxUpstreamBytes) + "\n";
    gateway_ = start_gateway(o, port_);
    ASSERT_GT(port_, 0);
  }

  InquiryRequest uwv_request() const {
    InquiryRequest r = permitted_request();
    r.source = "UWVDossierInkomsten";
    r.fields = {"werkgever_naam", "loon_sv"};
    return r;
  }

  static void expect_no_payload(const std::string& text, const std::string& where) {
    for (const char* mark : kPayloadMarks) EXPECT_EQ(text.find(mark), std::string::npos) << where << " holds " << mark << ": " << text.substr(0, 2000);
  }

  std::unique_ptr<Process> brp_;
};

TEST_P(RegistryBadReplyTest, HostileReplyGetsACodedFaultLeaksNothingAndLeavesTheGatewayHealthy) {
  const BadReply& c = GetParam();
  Tripwire tripwire;
  const std::string secret_file = dir_ + "/secret.txt";
  std::ofstream(secret_file) << kSecret << "\n";
  const std::string xxe_uri = c.xxe_target == Target::kSecretFile ? "file://" + secret_file
                              : c.xxe_target == Target::kTripwire ? "http://127.0.0.1:" + std::to_string(tripwire.port()) + "/x"
                                                                  : "";
  const int brp_port = start_brp(c.fault, xxe_uri);
  ASSERT_GT(brp_port, 0);
  start_gateway_for(brp_port);
  if (HasFatalFailure()) return;

  auto cl = client("app-zaaksysteem");
  const auto t0 = Clock::now();
  const InquiryAnswer bad = cl->inquire(permitted_request());
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - t0);
  ASSERT_TRUE(bad.transport_ok) << bad.transport_error;
  EXPECT_TRUE(bad.fault);
  EXPECT_EQ(bad.fault_code, "UPSTREAM_ERROR") << bad.fault_string;
  EXPECT_TRUE(bad.fields.empty());
  EXPECT_LT(took, milliseconds(kTimeoutMs + 1000));
  expect_no_payload(bad.fault_string, "the Fault");
  EXPECT_EQ(sim_stats(brp_port)["BRPDossierPersoonGSD"], 1) << "called once, never retried";

  const InquiryAnswer after = cl->inquire(uwv_request());
  ASSERT_TRUE(after.transport_ok) << after.transport_error;
  EXPECT_FALSE(after.fault) << after.fault_code << ": " << after.fault_string;
  EXPECT_EQ(after.status, "FOUND");

  const long peak = peak_rss_kib(gateway_->pid());
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, kMaxPeakRssKib) << "the gateway's memory must stay bounded";
  EXPECT_EQ(tripwire.hits(), 0) << "the registry's reply made the gateway connect out";
  std::printf("[ bad reply] %-22s %5lld ms  %s  (peak RSS %ld MiB)\n", c.name, static_cast<long long>(took.count()),
              bad.fault_string.substr(0, 110).c_str(), peak / 1024);

  ASSERT_EQ(gateway_->stop(), 0) << read_file(gateway_->log_file());
  gateway_.reset();
  std::string out;
  EXPECT_EQ(run_command({bin("doelpoort"), "audit", "verify", dir_ + "/gw-audit", "--public-key",
                         dir_ + "/tree-head.key.pub"}, out), 0) << out;
  int outcomes = 0;
  for (const auto& r : audit_records()) {
    expect_no_payload(r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "an audit record");
    EXPECT_LT(r.dump().size(), 3000u);
    if (r.value("kind", "") == "outcome" && r.value("inquiry_id", "") == bad.inquiry_id) {
      ++outcomes;
      EXPECT_EQ(r.value("code", ""), "UPSTREAM_ERROR") << r.dump();
      EXPECT_EQ(r.value("fields_returned", nlohmann::json::array()), nlohmann::json::array()) << r.dump();
    }
  }
  EXPECT_EQ(outcomes, 1);
  expect_no_payload(read_file(dir_ + "/gw.log"), "the gateway's log");
}

INSTANTIATE_TEST_SUITE_P(
    RegistryBadInputCatalogue, RegistryBadReplyTest,
    ::testing::Values(BadReply{"BillionLaughs", "laughs", Target::kNone},
                      BadReply{"XxeToALocalFile", "xxe", Target::kSecretFile},
                      BadReply{"XxeToEtcPasswd", "xxe", Target::kNone},
                      BadReply{"XxeToALoopbackListener", "xxe", Target::kTripwire},
                      BadReply{"DoctypeWithExternalDtd", "doctype", Target::kTripwire},
                      BadReply{"Depth10000", "deep", Target::kNone},
                      BadReply{"TenMegabyteAttribute", "bigattr", Target::kNone},
                      BadReply{"HundredThousandSiblings", "siblings", Target::kNone},
                      BadReply{"InvalidUtf8", "badutf8", Target::kNone},
                      BadReply{"OverMaxUpstreamBytes", "oversize", Target::kNone},
                      BadReply{"OverMaxUpstreamBytesChunked", "oversizechunked", Target::kNone}),
    [](const ::testing::TestParamInfo<BadReply>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace doelpoort::testing
