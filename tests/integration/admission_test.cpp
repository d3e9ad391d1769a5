// Connection admission: idle keep-alive connections and silent TCP connections hold no worker; caps bound
// what one address may open; a handshake that never completes is cut off.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "harness.h"

namespace doelpoort::testing {
namespace {

int tcp_connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the server closed the connection (a read returns end of file within `wait`).
bool closed_by_server(int fd, std::chrono::milliseconds wait) {
  timeval tv{static_cast<time_t>(wait.count() / 1000), static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  return ::recv(fd, &c, 1, 0) == 0;
}

class AdmissionTest : public IntegrationTest {
 protected:
  void SetUp() override {
    rlimit files{};  // this test opens about 800 descriptors itself
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    IntegrationTest::SetUp();
  }
};

TEST_F(AdmissionTest, IdleAndSilentConnectionsDoNotDelayAnInquiry) {
  GatewayOptions o;
  o.register_file = register_without_volume_limits();
  o.workers = 4;  // far fewer workers than connections
  o.limits = "  handshake_timeout_ms: 5000\n  idle_timeout_ms: 60000\n";
  int port = 0;
  auto gw = start_gateway(o, port, "adm");
  // 500 established TLS connections that made one inquiry and stay open, idle.
  std::vector<std::unique_ptr<InquiryClient>> idle;
  for (int i = 0; i < 500; ++i) {
    idle.push_back(client("app-zaaksysteem", port));
    ASSERT_FALSE(idle.back()->inquire(permitted_request()).fault) << i;
  }
  // 200 TCP connections that never say a word (no ClientHello).
  std::vector<int> silent;
  for (int i = 0; i < 200; ++i) {
    const int fd = tcp_connect(port);
    ASSERT_GE(fd, 0) << i;
    silent.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto fresh = client("app-zaaksysteem", port);
  const auto t0 = std::chrono::steady_clock::now();
  InquiryAnswer a = fresh->inquire(permitted_request());
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(a.transport_ok && !a.fault) << a.transport_error << a.fault_code;
  std::cout << "[ latency ] a new inquiry with 500 idle keep-alive and 200 silent connections open: " << ms << " ms\n";
  RecordProperty("latency_ms", std::to_string(ms));
  EXPECT_LT(ms, 1000.0);
  // and the idle ones are still usable
  EXPECT_FALSE(idle[123]->inquire(permitted_request()).fault);
  for (int fd : silent) ::close(fd);
  idle.clear();
  EXPECT_EQ(gw->stop(), 0);
}

TEST_F(AdmissionTest, HandshakeThatNeverCompletesIsCutOff) {
  GatewayOptions o;
  o.limits = "  handshake_timeout_ms: 300\n";
  int port = 0;
  auto gw = start_gateway(o, port, "hs");
  const int fd = tcp_connect(port);
  ASSERT_GE(fd, 0);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_by_server(fd, std::chrono::milliseconds(3000)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
  ::close(fd);
}

TEST_F(AdmissionTest, IdleKeepAliveConnectionIsClosedAfterItsIdleTime) {
  GatewayOptions o;
  o.limits = "  idle_timeout_ms: 300\n";
  int port = 0;
  auto gw = start_gateway(o, port, "idle");
  auto c = client("app-zaaksysteem", port);
  ASSERT_FALSE(c->inquire(permitted_request()).fault);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  // the server closed it; the client reconnects by itself and is answered
  InquiryAnswer again = c->inquire(permitted_request());
  EXPECT_TRUE(again.transport_ok && !again.fault) << again.transport_error;
  EXPECT_NE(read_file(gw->log_file()).find("listening"), std::string::npos);
}

TEST_F(AdmissionTest, ConnectionsFromOneAddressAreCapped) {
  GatewayOptions o;
  o.limits = "  max_connections_per_peer: 20\n";
  int port = 0;
  auto gw = start_gateway(o, port, "cap");
  std::vector<int> fds;
  for (int i = 0; i < 20; ++i) fds.push_back(tcp_connect(port));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int over = tcp_connect(port);  // the kernel accepts it; the gateway closes it at once
  ASSERT_GE(over, 0);
  EXPECT_TRUE(closed_by_server(over, std::chrono::milliseconds(2000)));
  EXPECT_FALSE(closed_by_server(fds[0], std::chrono::milliseconds(100)));  // the first 20 are still open
  ::close(over);
  for (int fd : fds) ::close(fd);
  // once they are gone, the address may connect again
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(client("app-zaaksysteem", port)->inquire(permitted_request()).fault);
}

TEST_F(AdmissionTest, StopClosesIdleConnectionsAndFinishesPromptly) {
  auto c = client("app-zaaksysteem");
  ASSERT_FALSE(c->inquire(permitted_request()).fault);  // an idle keep-alive connection stays open
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(gateway_->stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2000));
  gateway_.reset();
}

TEST_F(AdmissionTest, ManyRequestsOnOneConnectionPastGsoapsDefaultOf100) {
  GatewayOptions o;
  o.register_file = register_without_volume_limits();
  int port = 0;
  auto gw = start_gateway(o, port, "many");
  auto c = client("app-zaaksysteem", port);
  for (int i = 0; i < 250; ++i) ASSERT_FALSE(c->inquire(permitted_request()).fault) << i;
  c.reset();
  ASSERT_EQ(gw->stop(), 0);
  // one connection (one TLS handshake) served them all
  const std::string log = read_file(dir_ + "/many.log");
  EXPECT_NE(log.find("\"connections_accepted\":1,"), std::string::npos) << log;
  EXPECT_NE(log.find("\"requests\":250"), std::string::npos) << log;
}

}  // namespace
}  // namespace doelpoort::testing
