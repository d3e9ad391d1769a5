// The admin listener on a loopback port of its own (port 0), and what /readyz makes of its parts.
#include "admin_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "../support/http_client.h"
#include "health.h"
#include "metrics.h"

namespace doelpoort {
namespace {

using doelpoort::testing::HttpAnswer;

HttpAnswer request(int port, const std::string& method, const std::string& path) {
  return doelpoort::testing::http_request(port, method, path);
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AdminConfig config;
    config.enabled = true;
    config.listen_port = 0;
    server = std::make_unique<AdminServer>(
        config, AdminServer::Handlers{[] { return std::string("doelpoort_up 1\n"); },
                                      [] { return nlohmann::json{{"status", "alive"}}; },
                                      [this](bool& r) {
                                        r = ready.load();
                                        return nlohmann::json{{"status", r ? "ready" : "not_ready"}};
                                      }});
    std::string error;
    ASSERT_TRUE(server->bind(error)) << error;
    ASSERT_GT(server->port(), 0);
    server->start();
  }
  std::atomic<bool> ready{true};
  std::unique_ptr<AdminServer> server;
};

TEST_F(AdminServerTest, ServesMetricsInTheTextFormat) {
  const HttpAnswer a = request(server->port(), "GET", "/metrics");
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.head.find("text/plain; version=0.0.4"), std::string::npos) << a.head;
  EXPECT_EQ(a.body, "doelpoort_up 1\n");
}

TEST_F(AdminServerTest, HealthzSaysAliveInJson) {
  const HttpAnswer a = request(server->port(), "GET", "/healthz");
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.head.find("application/json"), std::string::npos) << a.head;
  EXPECT_EQ(nlohmann::json::parse(a.body)["status"], "alive");
}

TEST_F(AdminServerTest, ReadyzIs503WhileNotReadyAnd200Again) {
  EXPECT_EQ(request(server->port(), "GET", "/readyz").status, 200);
  ready = false;
  const HttpAnswer a = request(server->port(), "GET", "/readyz");
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(nlohmann::json::parse(a.body)["status"], "not_ready");
  ready = true;
  EXPECT_EQ(request(server->port(), "GET", "/readyz?verbose=1").status, 200);
}

TEST_F(AdminServerTest, AnythingElseIsNotFoundOrNotAllowed) {
  EXPECT_EQ(request(server->port(), "GET", "/").status, 404);
  EXPECT_EQ(request(server->port(), "GET", "/metrics/../etc").status, 404);
  EXPECT_EQ(request(server->port(), "POST", "/metrics").status, 405);
  EXPECT_EQ(request(server->port(), "DELETE", "/readyz").status, 405);
  EXPECT_EQ(request(server->port(), "PUT", "/other").status, 404);
  EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200);  // still serving
}

TEST_F(AdminServerTest, AClientThatSaysNothingDoesNotStopTheServerForGood) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200);  // after the silent one times out
  ::close(fd);
}

// ---- readiness ----

class FakeAudit final : public AuditSink {
 public:
  using AuditSink::append;
  Status append(AuditRecord, std::uint64_t*) override { return Status::ok(); }
  bool healthy() const override { return ok; }
  bool ok = true;
};

class FakeStore final : public StateStore {
 public:
  Status admit(const Admission&, Admitted&) override { return Status::ok(); }
  Status replace_caseload(const std::map<std::string, std::set<std::string>>&) override { return Status::ok(); }
  bool healthy() override { return ok; }
  bool ok = true;
};

class FakeUpstream final : public Upstream {
 public:
  Status call(std::string_view, const std::string&, UpstreamReply&) override { return Status::ok(); }
  const std::string& url() const override { return url_; }
  UpstreamHealth health() const override {
    UpstreamHealth h;
    h.breaker.state = state;
    return h;
  }
  BreakerState state = BreakerState::kClosed;
  std::string url_ = "https://registry.test/";
};

class ReadinessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto snap = std::make_shared<Snapshot>();
    auto reg = std::make_shared<Register>();
    reg->version = "2026.7";
    snap->policy.reg = reg;
    std::array<unsigned char, 32> key{};
    pipeline = std::make_unique<Pipeline>(
        PipelineParts{snap, audit, store, Pseudonymiser(key), UpstreamMap{{"BRP", upstream}}, 1 << 20, std::chrono::seconds(60)});
    parts = {pipeline.get(), audit.get(), store.get(), "memory"};
  }
  std::shared_ptr<FakeAudit> audit = std::make_shared<FakeAudit>();
  std::shared_ptr<FakeStore> store = std::make_shared<FakeStore>();
  std::shared_ptr<FakeUpstream> upstream = std::make_shared<FakeUpstream>();
  std::unique_ptr<Pipeline> pipeline;
  HealthParts parts;
};

TEST_F(ReadinessTest, ReadyWhenConfigAuditAndStateHold) {
  bool ready = false;
  const auto body = readiness(parts, ready);
  EXPECT_TRUE(ready);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["checks"]["config"]["register_version"], "2026.7");
  EXPECT_EQ(body["checks"]["registries"]["BRP"]["circuit"], "closed");
  EXPECT_EQ(body["degraded"], false);
}

TEST_F(ReadinessTest, NotReadyWhenTheAuditLogCannotWrite) {
  audit->ok = false;
  bool ready = true;
  const auto body = readiness(parts, ready);
  EXPECT_FALSE(ready);
  EXPECT_EQ(body["checks"]["audit"]["ok"], false);
}

TEST_F(ReadinessTest, NotReadyWhenTheStateStoreDoesNotAnswer) {
  store->ok = false;
  bool ready = true;
  EXPECT_EQ(readiness(parts, ready)["checks"]["state"]["ok"], false);
  EXPECT_FALSE(ready);
}

TEST_F(ReadinessTest, NotReadyWithoutAPolicy) {
  parts.pipeline = nullptr;
  bool ready = true;
  EXPECT_EQ(readiness(parts, ready)["checks"]["config"]["ok"], false);
  EXPECT_FALSE(ready);
}

TEST_F(ReadinessTest, AnOpenCircuitIsReportedAsDegradedButStillReady) {
  upstream->state = BreakerState::kOpen;
  bool ready = false;
  const auto body = readiness(parts, ready);
  EXPECT_TRUE(ready);
  EXPECT_EQ(body["degraded"], true);
  EXPECT_EQ(body["checks"]["registries"]["BRP"]["circuit"], "open");
}

}  // namespace
}  // namespace doelpoort
