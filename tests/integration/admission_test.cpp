// Connection admission: idle keep-alive connections and silent TCP connections hold no worker; caps bound
// what one address may open; a handshake that never completes is cut off. And how a worker reads: bytes
// OpenSSL read ahead are served at once, a request that stops half-way is cut off at its timeout; and
// how an answer is framed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "../support/tls_records.h"
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

// A mutual-TLS client that decides how its bytes meet the wire, for what InquiryClient cannot do.
class RawTlsClient {
 public:
  /// Connects and completes the handshake. `cork`: hold every byte sent (the handshake's last flight
  /// too) until the first send(), so that the client's Finished and its first request leave in one
  /// TCP segment, as a TLS 1.3 client's often do.
  RawTlsClient(int port, bool cork = false) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, pki("ca.crt").c_str(), nullptr);
    SSL_CTX_use_certificate_file(ctx_, pki("app-zaaksysteem.crt").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx_, pki("app-zaaksysteem.key").c_str(), SSL_FILETYPE_PEM);
    fd_ = tcp_connect(port);
    const int on = 1;
    if (cork) ::setsockopt(fd_, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    connected_ = fd_ >= 0 && SSL_connect(ssl_) == 1;
  }
  ~RawTlsClient() {
    SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  bool connected() const { return connected_; }

  /// Each of `records` as a TLS record of its own, all in one TCP write (and uncorked).
  bool send(const std::vector<std::string>& records) {
    const bool sent = send_records_at_once(ssl_, fd_, records);
    const int off = 0;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_CORK, &off, sizeof off);
    return sent;
  }

  /// One HTTP answer (header and a Content-Length body) within `wait`; empty when none came whole.
  std::string answer(std::chrono::milliseconds wait) {
    set_timeout(wait);
    std::string got = std::move(pending_);  // what the last read took past the last answer
    pending_.clear();
    first_read_ = 0;
    char buf[16384];
    while (true) {
      const auto end = got.find("\r\n\r\n");
      const auto at = got.find("Content-Length: ");
      if (end != std::string::npos && at != std::string::npos && at < end) {
        const std::size_t size = end + 4 + std::stoul(got.substr(at + 16));
        if (got.size() >= size) {
          pending_ = got.substr(size);
          return got.substr(0, size);
        }
      }
      const int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) return {};
      if (first_read_ == 0) first_read_ = static_cast<std::size_t>(n);
      got.append(buf, static_cast<std::size_t>(n));
    }
  }
  /// What one read returns within `wait` (one TLS record's bytes); empty when nothing came.
  std::string read_some(std::chrono::milliseconds wait) {
    set_timeout(wait);
    char buf[16384];
    const int n = SSL_read(ssl_, buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  /// Bytes the first read of the last answer() returned: one TLS record's (SSL_read returns one at a time).
  std::size_t first_read() const { return first_read_; }

  /// True when the server closed the connection within `wait` (sending nothing before).
  bool closed_by_server(std::chrono::milliseconds wait) {
    set_timeout(wait);
    char c;
    errno = 0;
    const int r = SSL_read(ssl_, &c, 1);
    if (r > 0) return false;
    const int err = SSL_get_error(ssl_, r);  // close_notify, end of input or a reset; not merely out of time
    return err != SSL_ERROR_WANT_READ && !(err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK));
  }

 private:
  void set_timeout(std::chrono::milliseconds wait) const {
    timeval tv{static_cast<time_t>(wait.count() / 1000), static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
  std::size_t first_read_ = 0;
};

const std::string kWsdlRequest = "GET /?wsdl HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// A permitted Inquire for one field of `bsn` (pw-recht-op-uitkering), its MessageID made from `n`.
std::string inquire_envelope(const std::string& bsn, int n) {
  char id[16];
  std::snprintf(id, sizeof id, "%012d", n);
  return R"(<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" )"
         R"(xmlns:wsa5="http://www.w3.org/2005/08/addressing" xmlns:dp="urn:nl:doelpoort:inquiry:v1"><s:Header>)"
         R"(<wsa5:Action>urn:nl:doelpoort:inquiry:v1/Inquire</wsa5:Action><wsa5:MessageID>urn:uuid:6f1c1c52-0d0a-4c38-9a52-)" +
         std::string(id) + R"(</wsa5:MessageID></s:Header><s:Body><dp:Inquire><dp:activity>pw-recht-op-uitkering</dp:activity>)"
         R"(<dp:caseReference>Z-2026-0001</dp:caseReference><dp:userId>u1001</dp:userId><dp:subjectBsn>)" + bsn +
         R"(</dp:subjectBsn><dp:source>BRPDossierPersoon</dp:source><dp:field>voornamen</dp:field></dp:Inquire></s:Body></s:Envelope>)";
}

/// The HTTP header of an Inquire POST whose body has `length` bytes, with `extra` header lines.
std::string inquire_post_header(std::size_t length, const std::string& extra = "") {
  return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
         std::to_string(length) + "\r\nSOAPAction: \"urn:nl:doelpoort:inquiry:v1/Inquire\"\r\n" + extra + "\r\n";
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
  // A gateway without volume limits (its log: `name`.log) and a client with one connection to it.
  std::unique_ptr<Process> start_unlimited(const std::string& name, std::unique_ptr<InquiryClient>& c) {
    GatewayOptions o;
    o.register_file = register_without_volume_limits();
    int port = 0;
    auto gw = start_gateway(o, port, name);
    c = client("app-zaaksysteem", port);
    return gw;
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
  std::unique_ptr<InquiryClient> c;
  auto gw = start_unlimited("many", c);
  for (int i = 0; i < 250; ++i) ASSERT_FALSE(c->inquire(permitted_request()).fault) << i;
  c.reset();
  ASSERT_EQ(gw->stop(), 0);
  // one connection (one TLS handshake) served them all
  const std::string log = read_file(dir_ + "/many.log");
  EXPECT_NE(log.find("\"connections_accepted\":1,"), std::string::npos) << log;
  EXPECT_NE(log.find("\"requests\":250"), std::string::npos) << log;
}

// The workers wait in the epoll set of idle connections themselves: a request wakes the one worker that
// serves it, and not the admission (main) thread as well, which wakes for accepts, closes and its 100 ms
// sweep. Before, admission took every request's readiness and handed the connection to a worker.
TEST_F(AdmissionTest, RequestsDoNotWakeTheAdmissionThread) {
  std::unique_ptr<InquiryClient> c;
  auto gw = start_unlimited("nowake", c);
  ASSERT_FALSE(c->inquire(permitted_request()).fault);  // connected, handshake done
  const std::string status = "/proc/" + std::to_string(gw->pid()) + "/task/" + std::to_string(gw->pid()) + "/status";
  const auto admission_wake_ups = [&] {
    const std::string text = read_file(status);
    const auto at = text.find("\nvoluntary_ctxt_switches:");
    return at == std::string::npos ? -1L : std::stol(text.substr(text.find(':', at + 1) + 1));
  };
  const long before = admission_wake_ups();
  ASSERT_GE(before, 0) << read_file(status);
  const auto start = std::chrono::steady_clock::now();
  constexpr int kRequests = 200;
  for (int i = 0; i < kRequests; ++i) ASSERT_FALSE(c->inquire(permitted_request()).fault) << i;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  const long woke = admission_wake_ups() - before;
  EXPECT_LT(woke, ms.count() / 100 + 20) << woke << " wake-ups in " << ms.count() << " ms for " << kRequests << " requests";
  EXPECT_LT(woke, kRequests / 2);
}

// With read-ahead, the handshake's last read takes the first request too when the client sent them
// together: epoll will not report those bytes again, so the worker must serve them at once. Parked
// instead, the request would wait for the idle timeout (60 s here).
TEST_F(AdmissionTest, RequestSentWithTheHandshakesLastFlightIsAnsweredAtOnce) {
  GatewayOptions o;
  o.limits = "  idle_timeout_ms: 60000\n";
  int port = 0;
  auto gw = start_gateway(o, port, "flight");
  for (int i = 0; i < 5; ++i) {
    RawTlsClient c(port, /*cork=*/true);
    ASSERT_TRUE(c.connected()) << i;
    ASSERT_TRUE(c.send({kWsdlRequest})) << i;
    const std::string a = c.answer(std::chrono::milliseconds(3000));
    EXPECT_EQ(a.rfind("HTTP/1.1 200", 0), 0U) << i << ": " << a.substr(0, 200);
  }
}

// Two requests in two TLS records that arrive in one TCP segment: OpenSSL holds the second while the
// first is answered; the connection must not be parked with it (SSL_has_pending, not SSL_pending).
TEST_F(AdmissionTest, RequestsArrivingTogetherAreAllAnswered) {
  GatewayOptions o;
  o.limits = "  idle_timeout_ms: 60000\n";
  int port = 0;
  auto gw = start_gateway(o, port, "together");
  RawTlsClient c(port);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send({kWsdlRequest, kWsdlRequest, kWsdlRequest}));
  for (int i = 0; i < 3; ++i) {
    const std::string a = c.answer(std::chrono::milliseconds(3000));
    EXPECT_EQ(a.rfind("HTTP/1.1 200", 0), 0U) << i << ": " << a.substr(0, 200);
  }
  // and the connection is still good for more
  ASSERT_TRUE(c.send({kWsdlRequest}));
  EXPECT_EQ(c.answer(std::chrono::milliseconds(3000)).rfind("HTTP/1.1 200", 0), 0U);
}

// An inquiry's answer is one HTTP message with its Content-Length (stored whole before it is sent; never
// chunked, which some SOAP clients cannot read) in one TLS record, header and body together, and the
// connection carries the next inquiry.
TEST_F(AdmissionTest, InquiryAnswersCarryTheirLengthAndTheConnectionCarriesTheNext) {
  int port = 0;
  auto gw = start_gateway(GatewayOptions{}, port, "length");
  RawTlsClient c(port);
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 2; ++i) {
    const std::string envelope = inquire_envelope(known_bsn_, i);
    ASSERT_TRUE(c.send({inquire_post_header(envelope.size()) + envelope}));
    const std::string a = c.answer(std::chrono::milliseconds(3000));  // empty unless whole, by its Content-Length
    ASSERT_EQ(a.rfind("HTTP/1.1 200", 0), 0U) << i << ": " << a.substr(0, 300);
    EXPECT_EQ(c.first_read(), a.size()) << "the first record held only: " << a.substr(0, c.first_read());
    const std::string head = a.substr(0, a.find("\r\n\r\n"));
    EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos) << head;
    const std::string body = a.substr(head.size() + 4);
    EXPECT_EQ(body.rfind("<?xml", 0), 0U) << body.substr(0, 100);
    EXPECT_NE(body.find("name=\"voornamen\""), std::string::npos) << body;
    EXPECT_NE(body.find("</SOAP-ENV:Envelope>", body.size() - 24), std::string::npos) << body;
  }
}

// A client that asks to hear "100 Continue" before it sends its body (as .NET's HttpWebRequest does by
// default) hears it at once, not after its own wait runs out, and then gets its answer.
TEST_F(AdmissionTest, ClientExpectingContinueHearsItBeforeItSendsTheBody) {
  int port = 0;
  auto gw = start_gateway(GatewayOptions{}, port, "continue");
  RawTlsClient c(port);
  ASSERT_TRUE(c.connected());
  const std::string envelope = inquire_envelope(known_bsn_, 100);
  ASSERT_TRUE(c.send({inquire_post_header(envelope.size(), "Expect: 100-continue\r\n")}));
  const std::string interim = c.read_some(std::chrono::milliseconds(1000));
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n", 0), 0U) << interim;
  ASSERT_TRUE(c.send({envelope}));
  const std::string a = c.answer(std::chrono::milliseconds(3000));
  EXPECT_EQ(a.rfind("HTTP/1.1 200", 0), 0U) << a.substr(0, 300);
}

// A request that stops half-way holds its worker until the request timeout, no longer: with one
// worker, the next client waits for the cut-off and is then answered.
TEST_F(AdmissionTest, RequestThatStopsHalfWayIsCutOffAtTheRequestTimeout) {
  GatewayOptions o;
  o.register_file = register_without_volume_limits();
  o.workers = 1;
  o.limits = "  request_timeout_ms: 500\n  idle_timeout_ms: 60000\n";
  int port = 0;
  auto gw = start_gateway(o, port, "half");
  RawTlsClient stuck(port);
  ASSERT_TRUE(stuck.connected());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(stuck.send({"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                          "Content-Length: 1000\r\n\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the one worker now reads `stuck`
  auto next = client("app-zaaksysteem", port);
  EXPECT_FALSE(next->inquire(permitted_request()).fault);
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(450));
  EXPECT_LT(waited, std::chrono::milliseconds(3000));
  EXPECT_TRUE(stuck.closed_by_server(std::chrono::milliseconds(2000)));
}

}  // namespace
}  // namespace doelpoort::testing
