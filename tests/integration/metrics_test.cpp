// Observability on the real binaries: the admin listener's /metrics passes promtool and a real Prometheus
// scrapes it and reads the counters back; the Grafana dashboard queries only metrics the gateway exposes;
// no label holds a BSN, user or case; /readyz follows Redis and the audit disk; TLS handshake failures
// are counted by reason; the admin port can require mutual TLS; the operational log carries a level and
// trace id and never a BSN.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "../support/http_client.h"
#include "../support/metrics_text.h"
#include "../support/redis_server.h"
#include "harness.h"
#include "stdsoap2.h"

namespace doelpoort::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* kAdminLoopback = "  listen: 127.0.0.1:0\n";

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// Polls `fn` every 100 ms until it returns true or `timeout` passes.
template <typename Fn>
bool eventually(Fn fn, milliseconds timeout = milliseconds(20000)) {
  const auto until = steady_clock::now() + timeout;
  while (steady_clock::now() < until) {
    if (fn()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return fn();
}

class ObservabilityTest : public IntegrationTest {
 protected:
  /// A gateway with an admin listener on a free loopback port (admin_port_ is set).
  std::unique_ptr<Process> start_observed(GatewayOptions o, const std::string& name = "mgw",
                                          const std::function<void()>& in_child = {}) {
    if (o.admin.empty()) o.admin = kAdminLoopback;
    auto gw = start_gateway(o, gw_port_, name, in_child);
    EXPECT_GT(gw_port_, 0);
    admin_port_ = std::stoi(read_file(dir_ + "/" + name + ".admin.port"));
    EXPECT_GT(admin_port_, 0);
    return gw;
  }

  std::string scrape() {
    const HttpAnswer a = http_get(admin_port_, "/metrics");
    EXPECT_EQ(a.status, 200);
    return a.body;
  }

  /// A few permitted and denied inquiries; returns {permitted, denied}.
  std::pair<int, int> make_inquiries(int permitted, int denied) {
    auto c = client("app-zaaksysteem", gw_port_);
    for (int i = 0; i < permitted; ++i) {
      InquiryAnswer a = c->inquire(permitted_request());
      EXPECT_FALSE(a.fault) << a.fault_code << " " << a.fault_string;
    }
    for (int i = 0; i < denied; ++i) {
      InquiryRequest r = permitted_request();
      r.fields = {"voornamen", "loon_bedrag"};  // not a BRP field for this activity
      InquiryAnswer a = c->inquire(r);
      EXPECT_TRUE(a.fault);
    }
    return {permitted, denied};
  }

  int gw_port_ = 0;
  int admin_port_ = 0;
};

TEST_F(ObservabilityTest, LiveMetricsPassPromtoolAndCountWhatWasAsked) {
  auto gw = start_observed({});
  make_inquiries(3, 2);
  const std::string text = scrape();
  EXPECT_EQ(sample(text, "doelpoort_inquiries_total",
                   {{"activity", "pw-recht-op-uitkering"}, {"source", "BRPDossierPersoon"}, {"decision", "permit"},
                    {"code", "OK"}}),
            3);
  EXPECT_EQ(sample(text, "doelpoort_inquiries_total",
                   {{"activity", "pw-recht-op-uitkering"}, {"source", "BRPDossierPersoon"}, {"decision", "deny"},
                    {"code", "FIELD_NOT_PERMITTED"}}),
            2);
  EXPECT_EQ(sample(text, "doelpoort_registry_call_duration_seconds_count", {{"source", "BRPDossierPersoon"}}), 3);
  EXPECT_EQ(sample(text, "doelpoort_audit_records_total"), 8);  // decision + outcome per permitted, decision per denial
  EXPECT_GE(*sample(text, "doelpoort_audit_fsync_seconds_count"), 1);
  // The client is gone; the gateway counts the close when it reads the end of the connection.
  EXPECT_TRUE(eventually([&] { return sample(scrape(), "doelpoort_connections_open") == 0.0; }));
  EXPECT_NE(text.find("\ndoelpoort_register_info{version=\""), std::string::npos);
  EXPECT_NE(text.find("\ndoelpoort_build_info{version=\""), std::string::npos);
  EXPECT_GT(*sample(text, "doelpoort_certificate_expiry_timestamp_seconds", {{"which", "server"}}), 1.7e9);
  EXPECT_GT(*sample(text, "doelpoort_certificate_expiry_timestamp_seconds", {{"which", "registry:BRPDossierPersoon"}}), 1.7e9);
  EXPECT_GT(*sample(text, "doelpoort_crl_next_update_timestamp_seconds"), 1.7e9);
  EXPECT_EQ(sample(text, "doelpoort_crl_expired"), 0);
  EXPECT_EQ(sample(text, "doelpoort_state_store_up"), 1);
  EXPECT_EQ(sample(text, "doelpoort_audit_writable"), 1);

  const std::string file = dir_ + "/metrics.txt";
  std::ofstream(file) << text;
  std::string out;
  EXPECT_EQ(run_command({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + file}, out), 0) << out << text;
  // The check can fail: a counter without _total and an unknown type are refused.
  std::ofstream(dir_ + "/bad.txt") << "# HELP doelpoort_bad a counter\n# TYPE doelpoort_bad counter\ndoelpoort_bad 1\n";
  EXPECT_NE(run_command({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + dir_ + "/bad.txt"}, out), 0) << out;
}

// top -H, perf and ps -L show what each thread is; the process keeps its own name (pgrep, systemd).
TEST_F(ObservabilityTest, ThreadsAreNamedForOperators) {
  GatewayOptions o;
  o.workers = 5;
  auto gw = start_observed(o);
  const std::string proc = "/proc/" + std::to_string(gw->pid());
  auto thread_names = [&] {
    std::map<std::string, int> names;
    for (const auto& t : std::filesystem::directory_iterator(proc + "/task")) ++names[read_file(t.path().string() + "/comm")];
    return names;
  };
  const std::map<std::string, int> expected = {
      {"doelpoort\n", 1}, {"dp-worker\n", 5}, {"dp-audit\n", 1}, {"dp-admin\n", 1}, {"dp-signals\n", 1}};
  // The workers and the signal thread start after the port file is written: wait for them.
  EXPECT_TRUE(eventually([&] { return thread_names() == expected; }, milliseconds(5000)));
  EXPECT_EQ(thread_names(), expected);
  EXPECT_EQ(read_file(proc + "/comm"), "doelpoort\n");
}

TEST_F(ObservabilityTest, PrometheusScrapesTheGatewayAndReadsTheCountersBack) {
  auto gw = start_observed({});
  const int prom_port = free_port();
  const std::string prom_dir = dir_ + "/prometheus";
  std::filesystem::create_directories(prom_dir + "/data");
  std::ofstream(prom_dir + "/prometheus.yml")
      << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      << "scrape_configs:\n  - job_name: doelpoort\n    static_configs:\n      - targets: ['127.0.0.1:" << admin_port_
      << "']\n";
  auto prom = Process::start({"/usr/bin/prometheus", "--config.file=" + prom_dir + "/prometheus.yml",
                              "--storage.tsdb.path=" + prom_dir + "/data",
                              "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"},
                             prom_dir + "/prometheus.log");
  ASSERT_TRUE(eventually([&] { return http_get(prom_port, "/-/ready").status == 200; }))
      << read_file(prom_dir + "/prometheus.log");

  const auto sent = make_inquiries(4, 3);  // not a structured binding: clang 14 cannot capture one
  const int permitted = sent.first, denied = sent.second;
  // What Prometheus holds, by decision, once a scrape after the inquiries has been stored.
  auto query = [&](const std::string& promql) {
    const HttpAnswer a = http_get(prom_port, "/api/v1/query?query=" + url_encode(promql));
    auto j = nlohmann::json::parse(a.body, nullptr, false);
    std::map<std::string, double> by;
    if (a.status != 200 || !j.is_object() || j.value("status", "") != "success") return by;
    for (const auto& r : j["data"]["result"])
      by[r["metric"].value("decision", "")] = std::stod(r["value"][1].get<std::string>());
    return by;
  };
  std::map<std::string, double> seen;
  const bool matched = eventually([&] {
    seen = query("sum by (decision) (doelpoort_inquiries_total{job=\"doelpoort\"})");
    return seen["permit"] == permitted && seen["deny"] == denied;
  });
  EXPECT_TRUE(matched) << "permit " << seen["permit"] << " deny " << seen["deny"] << "\n"
                       << read_file(prom_dir + "/prometheus.log");
  EXPECT_EQ(query("up{job=\"doelpoort\"}")[""], 1);
  EXPECT_EQ(query("sum(doelpoort_registry_call_duration_seconds_count{source=\"BRPDossierPersoon\"})")[""], permitted);
  // Every query of the Grafana dashboard is PromQL this Prometheus accepts (Grafana's variables filled in).
  const auto dashboard = nlohmann::json::parse(read_file(source("ops/grafana-dashboard.json")));
  int checked = 0;
  for (const auto& panel : dashboard["panels"])
    for (const auto& target : panel.value("targets", nlohmann::json::array())) {
      std::string expr = target.value("expr", "");
      for (const auto& [var, value] : std::vector<std::pair<std::string, std::string>>{
               {"$__rate_interval", "1m"}, {"$__range", "5m"}, {"$instance", ".*"}})
        for (auto at = expr.find(var); at != std::string::npos; at = expr.find(var)) expr.replace(at, var.size(), value);
      const HttpAnswer a = http_get(prom_port, "/api/v1/query?query=" + url_encode(expr));
      EXPECT_EQ(a.status, 200) << panel.value("title", "") << ": " << expr << "\n" << a.body;
      ++checked;
    }
  EXPECT_GE(checked, 20);
  EXPECT_EQ(prom->stop(), 0) << read_file(prom_dir + "/prometheus.log");
}

TEST_F(ObservabilityTest, DashboardQueriesOnlyMetricsTheGatewayExposes) {
  auto gw = start_observed({});
  make_inquiries(1, 1);
  const std::string text = scrape();
  const auto dashboard = nlohmann::json::parse(read_file(source("ops/grafana-dashboard.json")));
  ASSERT_TRUE(dashboard.contains("panels"));
  std::set<std::string> names;
  int panels = 0, exprs = 0;
  const std::regex metric("doelpoort_[a-z0-9_]+");
  for (const auto& panel : dashboard["panels"]) {
    if (panel.value("type", "") == "row") continue;
    ++panels;
    ASSERT_TRUE(panel.contains("targets")) << panel.dump();
    for (const auto& target : panel["targets"]) {
      const std::string expr = target.value("expr", "");
      ++exprs;
      bool any = false;
      for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
        names.insert(it->str());
        any = true;
      }
      EXPECT_TRUE(any) << "panel \"" << panel.value("title", "") << "\" queries no doelpoort metric: " << expr;
    }
  }
  EXPECT_GE(panels, 8);
  EXPECT_GE(exprs, panels);
  for (const auto& name : names)
    EXPECT_TRUE(text.find("\n" + name + "{") != std::string::npos || text.find("\n" + name + " ") != std::string::npos)
        << name << " is queried by the dashboard but not exposed";
  // And the rules' expressions too.
  const std::string rules = read_file(source("ops/alerts.yml"));
  std::set<std::string> rule_names;
  for (std::sregex_iterator it(rules.begin(), rules.end(), metric), end; it != end; ++it) rule_names.insert(it->str());
  EXPECT_GE(rule_names.size(), 5u);
  for (const auto& name : rule_names)
    EXPECT_TRUE(text.find("\n" + name + "{") != std::string::npos || text.find("\n" + name + " ") != std::string::npos)
        << name << " is used by ops/alerts.yml but not exposed";
}

TEST_F(ObservabilityTest, NoLabelHoldsABsnUserCaseOrAddress) {
  auto gw = start_observed({});
  auto c = client("app-zaaksysteem", gw_port_);
  InquiryRequest r = permitted_request();
  r.case_reference = "Z-2026-4711";
  EXPECT_FALSE(c->inquire(r).fault);
  InquiryRequest absent = r;
  absent.subject_bsn = absent_bsn_;
  EXPECT_FALSE(c->inquire(absent).fault);
  InquiryRequest made_up = r;
  made_up.activity = "verzonnen-" + known_bsn_;  // a caller's own name for an activity never becomes a label
  EXPECT_EQ(c->inquire(made_up).fault_code, "ACTIVITY_UNKNOWN");
  InquiryRequest role = r;
  role.user = "u1002";
  EXPECT_TRUE(c->inquire(role).fault);
  const std::string text = scrape();
  for (const std::string& secret : {known_bsn_, absent_bsn_, std::string("u1001"), std::string("u1002"),
                                    std::string("Z-2026-4711"), std::string("verzonnen"), std::string("127.0.0.1")})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " appears in /metrics";
  EXPECT_GE(value_or_zero(text, "doelpoort_inquiries_total",
                          {{"activity", "unknown"}, {"source", "BRPDossierPersoon"}, {"decision", "deny"},
                           {"code", "ACTIVITY_UNKNOWN"}}),
            1);
}

TEST_F(ObservabilityTest, ReadyzFollowsTheStateStore) {
  RedisServer redis;
  GatewayOptions o;
  o.state = redis.url();
  auto gw = start_observed(o);
  const auto ready = [&] { return http_get(admin_port_, "/readyz"); };
  ASSERT_EQ(ready().status, 200) << ready().body;
  EXPECT_EQ(nlohmann::json::parse(ready().body)["checks"]["state"]["kind"], "redis");
  redis.stop();
  ASSERT_TRUE(eventually([&] { return ready().status == 503; }, milliseconds(10000)));
  const auto body = nlohmann::json::parse(ready().body);
  EXPECT_EQ(body["status"], "not_ready");
  EXPECT_EQ(body["checks"]["state"]["ok"], false);
  EXPECT_EQ(body["checks"]["audit"]["ok"], true);
  auto c = client("app-zaaksysteem", gw_port_);
  EXPECT_EQ(c->inquire(permitted_request()).fault_code, "STATE_UNAVAILABLE");
  const std::string text = scrape();
  EXPECT_GE(*sample(text, "doelpoort_state_store_errors_total"), 1);
  EXPECT_EQ(sample(text, "doelpoort_state_store_up"), 0);
  EXPECT_EQ(http_get(admin_port_, "/healthz").status, 200);  // alive all the same
  redis.start();
  EXPECT_TRUE(eventually([&] { return ready().status == 200; }, milliseconds(10000))) << ready().body;
}

TEST_F(ObservabilityTest, ReadyzFollowsTheAuditDisk) {
  GatewayOptions o;
  o.register_file = register_without_volume_limits();
  // Files of at most 24 KiB: the audit segment fills up after a few dozen records.
  auto gw = start_observed(o, "full", [] {
    rlimit limit{24 * 1024, RLIM_INFINITY};
    setrlimit(RLIMIT_FSIZE, &limit);
  });
  ASSERT_EQ(http_get(admin_port_, "/readyz").status, 200);
  auto c = client("app-zaaksysteem", gw_port_);
  InquiryAnswer a;
  for (int i = 0; i < 200 && !a.fault; ++i) a = c->inquire(permitted_request());
  ASSERT_EQ(a.fault_code, "AUDIT_UNAVAILABLE") << "the audit segment never filled up";
  HttpAnswer r = http_get(admin_port_, "/readyz");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["checks"]["audit"]["ok"], false);
  std::this_thread::sleep_for(milliseconds(1500));  // the recovery probe keeps failing while the disk is full
  EXPECT_EQ(http_get(admin_port_, "/readyz").status, 503);
  const std::string text = scrape();
  EXPECT_GE(*sample(text, "doelpoort_audit_write_failures_total"), 1);
  EXPECT_EQ(sample(text, "doelpoort_audit_writable"), 0);
  EXPECT_GE(*sample(text, "doelpoort_inquiries_total",
                    {{"activity", "pw-recht-op-uitkering"}, {"source", "BRPDossierPersoon"}, {"decision", "permit"},
                     {"code", "AUDIT_UNAVAILABLE"}}),
            1);
  // Room again: ready again without any inquiry (a load balancer would send none to an unready node).
  rlimit lifted{RLIM_INFINITY, RLIM_INFINITY};
  ASSERT_EQ(prlimit(gw->pid(), RLIMIT_FSIZE, &lifted, nullptr), 0);
  EXPECT_TRUE(eventually([&] { return http_get(admin_port_, "/readyz").status == 200; }, milliseconds(10000)));
  EXPECT_FALSE(c->inquire(permitted_request()).fault);
  ASSERT_EQ(gw->stop(), 0);
  std::string out;
  EXPECT_EQ(run_command({bin("doelpoort"), "audit", "verify", dir_ + "/full-audit", "--public-key",
                         dir_ + "/tree-head.key.pub"}, out), 0) << out;
}

TEST_F(ObservabilityTest, HandshakeFailuresAreCountedByReason) {
  auto gw = start_observed({});
  for (const char* cert : {"foreign-app", "revoked-app"}) {
    auto c = client(cert, gw_port_);
    EXPECT_FALSE(c->inquire(permitted_request()).transport_ok) << cert << " was not refused at the handshake";
  }
  std::string text;
  EXPECT_TRUE(eventually([&] {
    text = scrape();
    return value_or_zero(text, "doelpoort_tls_handshake_failures_total", {{"reason", "unknown_ca"}}) >= 1 &&
           value_or_zero(text, "doelpoort_tls_handshake_failures_total", {{"reason", "certificate_revoked"}}) >= 1;
  }, milliseconds(5000))) << text;
  EXPECT_GE(*sample(text, "doelpoort_connections_accepted_total"), 2);
}

TEST_F(ObservabilityTest, AdminPortCanRequireMutualTls) {
  GatewayOptions o;
  o.admin = std::string(kAdminLoopback) + "  tls:\n    certificate: " + pki("gateway.crt") + "\n    key: " +
            pki("gateway.key") + "\n    client_ca: " + pki("ca.crt") + "\n";
  auto gw = start_observed(o);
  EXPECT_EQ(http_get(admin_port_, "/healthz").status, 0);  // plain HTTP gets no answer
  auto get = [&](const std::string& cert) {
    std::string error;
    tls::ClientConfig tc{cert.empty() ? "" : pki(cert + ".crt"), cert.empty() ? "" : pki(cert + ".key"), pki("ca.crt"),
                         "", "127.0.0.1"};
    auto ctx = tls::make_client_context(tc, error);
    EXPECT_TRUE(ctx) << error;
    struct soap* s = soap_new();
    tls::attach(s, ctx.get(), false);
    s->recv_timeout = s->send_timeout = s->connect_timeout = 5;
    const std::string url = "https://127.0.0.1:" + std::to_string(admin_port_) + "/metrics";
    std::string body;
    std::size_t len = 0;
    const char* data = nullptr;
    if (soap_GET(s, url.c_str(), nullptr) == SOAP_OK && soap_begin_recv(s) == SOAP_OK &&
        (data = soap_http_get_body(s, &len)) != nullptr && soap_end_recv(s) == SOAP_OK)
      body.assign(data, len);
    soap_destroy(s);
    soap_end(s);
    soap_free(s);
    return body;
  };
  EXPECT_NE(get("app-zaaksysteem").find("doelpoort_build_info"), std::string::npos);
  EXPECT_EQ(get(""), "");  // no client certificate: refused
  const std::string text = get("app-zaaksysteem");
  EXPECT_GT(*sample(text, "doelpoort_certificate_expiry_timestamp_seconds", {{"which", "admin"}}), 1.7e9);
}

// The default gateway (no admin listener) under a mix of inquiries: every log line is JSON with a level,
// every line about an inquiry has its trace id, client addresses are anonymised, and no BSN appears.
TEST_F(ObservabilityTest, OperationalLogHasLevelsTraceIdsAndNoBsn) {
  auto c = client("app-zaaksysteem");
  EXPECT_FALSE(c->inquire(permitted_request()).fault);
  InquiryRequest absent = permitted_request();
  absent.subject_bsn = absent_bsn_;
  EXPECT_FALSE(c->inquire(absent).fault);
  InquiryRequest role = permitted_request();
  role.user = "u1002";
  EXPECT_TRUE(c->inquire(role).fault);
  InquiryRequest bsn_as_activity = permitted_request();
  bsn_as_activity.activity = known_bsn_;  // a caller's mistake that lands in a log line; masked there
  EXPECT_EQ(c->inquire(bsn_as_activity).fault_code, "ACTIVITY_UNKNOWN");
  raw_post("<not-soap/>", "urn:nl:doelpoort:inquiry:v1/Inquire");
  EXPECT_FALSE(client("foreign-app")->inquire(permitted_request()).transport_ok);
  ASSERT_EQ(gateway_->stop(), 0);
  const std::string log = read_file(gateway_->log_file());
  EXPECT_EQ(log.find(known_bsn_), std::string::npos) << log;
  EXPECT_EQ(log.find(absent_bsn_), std::string::npos) << log;
  std::istringstream lines(log);
  int inquiry_lines = 0, client_lines = 0;
  const std::regex trace("[0-9a-f]{32}");
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not one JSON object: " << line;
    EXPECT_TRUE(std::set<std::string>({"debug", "info", "warn", "error"}).count(j.value("level", ""))) << line;
    EXPECT_TRUE(j.contains("event") && j.contains("time")) << line;
    if (j.contains("inquiry_id")) {
      ++inquiry_lines;
      EXPECT_TRUE(std::regex_match(j.value("trace_id", ""), trace)) << line;
    }
    if (j.contains("client")) {
      ++client_lines;
      EXPECT_EQ(j["client"], "127.0.0.0") << line;
    }
  }
  EXPECT_GE(inquiry_lines, 3);  // the role and activity refusals, the malformed request
  EXPECT_GE(client_lines, 4);
  gateway_.reset();
}

}  // namespace
}  // namespace doelpoort::testing
