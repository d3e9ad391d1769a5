// HttpsUpstream against a tiny scripted TLS server on a loopback port: the deadline, the one retry,
// stale keep-alive connections, chunked answers, refused answers, 5xx and Faults, the breaker and the
// concurrency limit.
#include "upstream.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "../support/tls_records.h"
#include "stdsoap2.h"
#include "test_dir.h"
#include "xml_safe.h"

namespace doelpoort {
namespace {

using testing::TestDir;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kEnvelope =
    R"(<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><r>ok</r></s:Body></s:Envelope>)";
constexpr std::string_view kFault =
    R"(<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>)"
    R"(<faultcode>s:Server</faultcode><faultstring>Bron tijdelijk niet beschikbaar</faultstring></s:Fault></s:Body></s:Envelope>)";
constexpr std::string_view kRequest = "<request/>";

/// A self-signed certificate for 127.0.0.1, its own CA, with its key: cert.pem and key.pem in `dir`.
void make_certificate(const TestDir& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  FILE* f = std::fopen(dir.file("cert.pem").c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(dir.file("key.pem").c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
}

std::string http(int status, std::string_view body, std::string_view extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + std::string(extra_headers) + "\r\n" + std::string(body);
}

const std::string kChunkedHeader = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";  // a zero-length chunk and an empty trailer

/// `data` as one chunk of a chunked body: its size in hex, the bytes, CRLF.
std::string chunk(std::string_view data) {
  char size[24];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

/// One request as the server sees it, and the means to answer it.
struct Exchange {
  SSL* ssl;
  int fd;
  const std::atomic<bool>& stop;
  std::string request;

  bool send(std::string_view bytes) const {
    return bytes.empty() || SSL_write(ssl, bytes.data(), static_cast<int>(bytes.size())) > 0;
  }
  /// Sends `bytes` one at a time, `pause` apart, until done, the client leaves or the server stops.
  void drip(std::string_view bytes, milliseconds pause) const {
    for (char b : bytes) {
      if (stop.load() || !send(std::string_view(&b, 1))) return;
      std::this_thread::sleep_for(pause);
    }
  }
  /// Sends `bytes` as one TLS record, that record one TCP byte at a time, `pause` apart: no read
  /// ever gets a whole record until the last byte.
  void dribble_record(std::string_view bytes, milliseconds pause) const {
    BIO* record = BIO_new(BIO_s_mem());
    SSL_set0_wbio(ssl, record);  // the SSL owns it now; reads still come from the socket
    SSL_write(ssl, bytes.data(), static_cast<int>(bytes.size()));
    char* data = nullptr;
    const long size = BIO_get_mem_data(record, &data);
    for (long i = 0; i < size && !stop.load(); ++i) {
      if (::send(fd, data + i, 1, MSG_NOSIGNAL) != 1) return;
      std::this_thread::sleep_for(pause);
    }
  }
  /// Sends each of `records` as a TLS record of its own, all of them in one TCP write: the client's
  /// first read gets every record at once.
  bool send_records_at_once(const std::vector<std::string>& records) const {
    return testing::send_records_at_once(ssl, fd, records);
  }
  /// Waits until the client closes its end (or sends anything) or the server stops.
  void wait_for_close() const {
    while (!stop.load()) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) != 0) return;
    }
  }
};

/// What the server does with one request; true keeps the connection open for another.
using Script = std::function<bool(Exchange&)>;

/// A TLS server on 127.0.0.1 that runs `script` for every request, one thread per connection.
class TinyTlsServer {
 public:
  TinyTlsServer(const TestDir& dir, Script script) : script_(std::move(script)) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_file(ctx_, dir.file("cert.pem").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx_, dir.file("key.pem").c_str(), SSL_FILETYPE_PEM);
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listener_, 16);
    socklen_t size = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &size);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~TinyTlsServer() {
    stop_.store(true);
    acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : connections_) t.join();
    ::close(listener_);
    SSL_CTX_free(ctx_);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  int requests() const { return requests_.load(); }
  std::string last_request() const {
    std::lock_guard lock(mu_);
    return last_request_;
  }
  /// How much of the last request its first read got (one TLS record at most).
  std::size_t last_first_read() const {
    std::lock_guard lock(mu_);
    return last_first_read_;
  }

 private:
  void accept_loop() {
    while (!stop_.load()) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      ++accepted_;
      std::lock_guard lock(mu_);
      open_.insert(fd);
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }
  void serve(int fd) {
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      Exchange x{ssl, fd, stop_, {}};
      std::size_t first_read = 0;
      while (read_request(ssl, x.request, first_read)) {
        ++requests_;
        {
          std::lock_guard lock(mu_);
          last_request_ = x.request;
          last_first_read_ = first_read;
        }
        if (!script_(x)) break;
      }
    }
    SSL_free(ssl);  // no close_notify: the script decides what the client sees
    std::lock_guard lock(mu_);
    open_.erase(fd);
    ::close(fd);
  }
  /// `first_read`: the bytes the first SSL_read returned, at most one TLS record.
  static bool read_request(SSL* ssl, std::string& request, std::size_t& first_read) {
    request.clear();
    char buf[4096];
    std::size_t end = std::string::npos;
    first_read = 0;
    while ((end = request.find("\r\n\r\n")) == std::string::npos) {
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) return false;
      request.append(buf, static_cast<std::size_t>(n));
      if (first_read == 0) first_read = request.size();
    }
    std::string header = request.substr(0, end);
    for (char& ch : header) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const auto at = header.find("content-length:");
    const std::size_t length = at == std::string::npos ? 0 : std::stoul(header.substr(at + 15));
    while (request.size() < end + 4 + length) {
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) return false;
      request.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

  Script script_;
  SSL_CTX* ctx_ = nullptr;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::set<int> open_;
  std::vector<std::thread> connections_;
  std::string last_request_;
  std::size_t last_first_read_ = 0;
  std::thread acceptor_;
};

Script answer(std::string bytes, bool keep = true) {
  return [bytes = std::move(bytes), keep](Exchange& x) { return x.send(bytes) && keep; };
}

class UpstreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);  // as `doelpoort serve`: SSL_write to a closed peer
    soap_ssl_init();
    xml::init();
  }
  void SetUp() override { make_certificate(dir_); }

  SourceConfig config(int port) const {
    SourceConfig c;
    c.name = "test";
    c.url = "https://127.0.0.1:" + std::to_string(port) + "/registry";
    c.host = "127.0.0.1";
    c.tls = {dir_.file("cert.pem"), dir_.file("key.pem"), dir_.file("cert.pem"), "", "127.0.0.1"};
    c.timeout_ms = 2000;
    c.connect_timeout_ms = 500;
    c.breaker_failures = 100;
    return c;
  }
  std::unique_ptr<HttpsUpstream> upstream(const SourceConfig& c, long max_reply_bytes = 1 << 20) {
    std::string error;
    auto up = HttpsUpstream::create(c, max_reply_bytes, error);
    EXPECT_TRUE(up) << error;
    return up;
  }
  /// One call; its status, and how long it took in `took`.
  static Status call(HttpsUpstream& up, UpstreamReply& reply, milliseconds& took) {
    const auto t0 = Clock::now();
    Status st = up.call(kRequest, "urn:test:Action", reply);
    took = std::chrono::duration_cast<milliseconds>(Clock::now() - t0);
    return st;
  }
  struct Timed {
    Status status;
    UpstreamReply reply;
    milliseconds took{};
  };
  /// One call, with a total deadline of `timeout_ms`, to a registry that behaves as `script`.
  Timed call_within(int timeout_ms, Script script) {
    TinyTlsServer server(dir_, std::move(script));
    SourceConfig c = config(server.port());
    c.timeout_ms = timeout_ms;
    auto up = upstream(c);
    Timed t;
    t.status = call(*up, t.reply, t.took);
    return t;
  }

  TestDir dir_;
};

TEST_F(UpstreamTest, AnswersOverOneKeptAliveConnection) {
  TinyTlsServer server(dir_, answer(http(200, kEnvelope)));
  auto up = upstream(config(server.port()));
  for (int i = 0; i < 3; ++i) {
    UpstreamReply reply;
    milliseconds took{};
    ASSERT_TRUE(call(*up, reply, took)) << i;
    EXPECT_EQ(reply.http_status, 200);
    EXPECT_EQ(reply.body, kEnvelope);
  }
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(up->health().breaker.state, BreakerState::kClosed);
  EXPECT_EQ(up->health().in_flight, 0);
}

// Chunked answers end in a zero-length chunk and an empty trailer: all of it is read, so the next call
// on the kept-alive connection reads its own answer, not the last one's leftovers.
TEST_F(UpstreamTest, ChunkedAnswersOverOneKeptAliveConnection) {
  TinyTlsServer server(dir_, answer(kChunkedHeader + chunk(kEnvelope.substr(0, 40)) + chunk(kEnvelope.substr(40)) +
                                    std::string(kLastChunk)));
  auto up = upstream(config(server.port()));
  for (int i = 0; i < 3; ++i) {
    UpstreamReply reply;
    milliseconds took{};
    ASSERT_TRUE(call(*up, reply, took)) << i;
    EXPECT_EQ(reply.body, kEnvelope) << i;
  }
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(up->health().stale_dropped, 0u);
}

TEST_F(UpstreamTest, ChunkedAnswerClosedBeforeItsLastChunkIsIncomplete) {
  TinyTlsServer server(dir_, answer(kChunkedHeader + chunk(kEnvelope.substr(0, 40)), /*keep=*/false));
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_UNAVAILABLE) << st.message();
  EXPECT_NE(st.message().find("incomplete answer"), std::string::npos) << st.message();
  EXPECT_TRUE(reply.body.empty());
}

TEST_F(UpstreamTest, SendsTheRequestHeaderAndBodyInOneRecord) {
  TinyTlsServer server(dir_, answer(http(200, kEnvelope)));
  auto up = upstream(config(server.port()));
  for (int i = 0; i < 2; ++i) {  // a new connection, then a kept-alive one
    UpstreamReply reply;
    milliseconds took{};
    ASSERT_TRUE(call(*up, reply, took)) << i;
    const std::string request = server.last_request();
    EXPECT_EQ(request.substr(request.size() - kRequest.size()), kRequest);
    EXPECT_EQ(server.last_first_read(), request.size()) << "the first record held only: "
                                                         << request.substr(0, server.last_first_read());
  }
}

TEST_F(UpstreamTest, AdvertisesNoCompression) {
  TinyTlsServer server(dir_, answer(http(200, kEnvelope)));
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  ASSERT_TRUE(call(*up, reply, took));
  std::string request = server.last_request();
  for (char& ch : request) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_EQ(request.find("accept-encoding"), std::string::npos) << server.last_request();
}

TEST_F(UpstreamTest, HangingRegistryFailsAtTheDeadline) {
  const Timed t = call_within(600, [](Exchange& x) {
    x.wait_for_close();
    return false;
  });
  EXPECT_EQ(t.status.code(), Code::UPSTREAM_UNAVAILABLE) << t.status.message();
  EXPECT_GE(t.took, milliseconds(550));
  EXPECT_LT(t.took, milliseconds(600 + 300));
  EXPECT_EQ(t.reply.http_status, 0);
}

TEST_F(UpstreamTest, SlowDripIsCutOffAtTheDeadlineNotPerRead) {
  const Timed t = call_within(700, [](Exchange& x) {
    x.drip(http(200, kEnvelope), milliseconds(20));  // each read gets a byte well within any read timer
    return false;
  });
  EXPECT_EQ(t.status.code(), Code::UPSTREAM_UNAVAILABLE) << t.status.message();
  EXPECT_NE(t.status.message().find("within 700 ms"), std::string::npos) << t.status.message();
  EXPECT_LT(t.took, milliseconds(700 + 300));
}

TEST_F(UpstreamTest, TlsRecordDribbledByteByByteIsCutOffAtTheDeadline) {
  const Timed t = call_within(600, [](Exchange& x) {
    x.dribble_record(http(200, kEnvelope), milliseconds(20));
    return false;
  });
  EXPECT_EQ(t.status.code(), Code::UPSTREAM_UNAVAILABLE) << t.status.message();
  EXPECT_LT(t.took, milliseconds(600 + 300));
}

TEST_F(UpstreamTest, ClosedIdleConnectionIsDroppedBeforeReuseAndTheRequestSentOnce) {
  // Answers with keep-alive, then closes the connection while it is idle in our pool.
  TinyTlsServer server(dir_, answer(http(200, kEnvelope), /*keep=*/false));
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  ASSERT_TRUE(call(*up, reply, took));
  std::this_thread::sleep_for(milliseconds(100));  // the registry's close reaches us
  reply = {};
  ASSERT_TRUE(call(*up, reply, took));
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(up->health().stale_dropped, 1u);
  EXPECT_EQ(up->health().connect_retries, 0u);
}

// The answer, then in a TLS record of its own and the same TCP segment, bytes nobody asked for (here a
// second answer). They sit in OpenSSL's read-ahead buffer, not in the socket: a connection holding them
// must not be reused, or the next call would take them for its answer.
TEST_F(UpstreamTest, ConnectionWithUnaskedBytesReadAheadIsNotReused) {
  const std::string stale = http(200, R"(<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><r>stale</r></s:Body></s:Envelope>)");
  std::atomic<int> n{0};
  TinyTlsServer server(dir_, [&](Exchange& x) {
    if (n++ == 0) return x.send_records_at_once({http(200, kEnvelope), stale});
    return x.send(http(200, kEnvelope));
  });
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  ASSERT_TRUE(call(*up, reply, took));
  EXPECT_EQ(reply.body, kEnvelope);
  reply = {};
  ASSERT_TRUE(call(*up, reply, took));
  EXPECT_EQ(reply.body, kEnvelope);  // not the stale answer
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(up->health().stale_dropped, 1u);
}

TEST_F(UpstreamTest, RefusedConnectionIsRetriedOnceThenUnavailable) {
  int port = 0;
  {
    TinyTlsServer gone(dir_, answer(http(200, kEnvelope)));
    port = gone.port();
  }  // nothing listens there now
  auto up = upstream(config(port));
  UpstreamReply reply;
  milliseconds took{};
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_UNAVAILABLE);
  EXPECT_NE(st.message().find("cannot connect"), std::string::npos) << st.message();
  EXPECT_EQ(up->health().connect_retries, 1u);
  EXPECT_LT(took, milliseconds(500));
}

TEST_F(UpstreamTest, RequestThatReachedTheRegistryIsNeverRetried) {
  TinyTlsServer server(dir_, [](Exchange&) { return false; });  // reads the request, closes
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_UNAVAILABLE) << st.message();
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(up->health().connect_retries, 0u);
}

TEST_F(UpstreamTest, AnswerAnnouncedOverTheLimitIsRefusedBeforeItsBodyIsRead) {
  TinyTlsServer server(dir_, [](Exchange& x) {
    x.send("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1073741824\r\n\r\n<");
    x.wait_for_close();
    return false;
  });
  auto up = upstream(config(server.port()), 1 << 20);
  UpstreamReply reply;
  milliseconds took{};
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_ERROR) << st.message();
  EXPECT_NE(st.message().find("over the limit"), std::string::npos) << st.message();
  EXPECT_LT(took, milliseconds(1000)) << "refused at the header, not after a timeout";
  EXPECT_EQ(up->health().breaker.consecutive_failures, 0) << "an answer, not a registry failure";
}

TEST_F(UpstreamTest, ChunkedAnswerOverTheLimitIsCutOff) {
  TinyTlsServer server(dir_, [](Exchange& x) {
    x.send(kChunkedHeader);
    const std::string full = chunk(std::string(0x10000, 'x'));
    for (int i = 0; i < 64 && x.send(full); ++i) {}
    return false;
  });
  auto up = upstream(config(server.port()), 1 << 20);
  UpstreamReply reply;
  milliseconds took{};
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_ERROR) << st.message();
  EXPECT_TRUE(reply.body.empty());
}

TEST_F(UpstreamTest, CompressedAnswerIsRefused) {
  const std::string gzip_bomb_start("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  TinyTlsServer server(dir_, answer(http(200, gzip_bomb_start, "Content-Encoding: gzip\r\n")));
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_ERROR) << st.message();
  EXPECT_NE(st.message().find("compressed"), std::string::npos) << st.message();
  EXPECT_TRUE(reply.body.empty());
}

TEST_F(UpstreamTest, Http500WithAnHtmlPageIsARegistryFailure) {
  TinyTlsServer server(dir_, answer(http(500, "<html><body>Internal Server Error</body></html>")));
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_ERROR) << st.message();
  EXPECT_EQ(reply.http_status, 500);
  EXPECT_EQ(up->health().breaker.consecutive_failures, 1);
}

TEST_F(UpstreamTest, Http503IsUnavailable) {
  TinyTlsServer server(dir_, answer(http(503, "busy")));
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  EXPECT_EQ(call(*up, reply, took).code(), Code::UPSTREAM_UNAVAILABLE);
  EXPECT_EQ(reply.http_status, 503);
  EXPECT_EQ(up->health().breaker.consecutive_failures, 1);
}

TEST_F(UpstreamTest, Http500WithASoapFaultIsAnAnswerForThePipeline) {
  TinyTlsServer server(dir_, answer(http(500, kFault)));
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  EXPECT_TRUE(call(*up, reply, took));
  EXPECT_EQ(reply.http_status, 500);
  EXPECT_EQ(up->health().breaker.consecutive_failures, 0);
}

TEST_F(UpstreamTest, Http200CarryingASoapFaultIsAnErrorButNoRegistryFailure) {
  TinyTlsServer server(dir_, answer(http(200, kFault)));
  auto up = upstream(config(server.port()));
  UpstreamReply reply;
  milliseconds took{};
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_ERROR);
  EXPECT_NE(st.message().find("Bron tijdelijk niet beschikbaar"), std::string::npos) << st.message();
  EXPECT_EQ(up->health().breaker.consecutive_failures, 0);
  EXPECT_EQ(up->health().breaker.successes, 1u);
}

TEST_F(UpstreamTest, CircuitOpensAfterConsecutiveFailuresFailsFastAndRecoversThroughAProbe) {
  std::atomic<bool> healthy{false};
  TinyTlsServer server(dir_, [&](Exchange& x) { return healthy.load() && x.send(http(200, kEnvelope)); });
  SourceConfig c = config(server.port());
  c.breaker_failures = 2;
  c.breaker_cooldown_ms = 300;
  auto up = upstream(c);
  UpstreamReply reply;
  milliseconds took{};
  EXPECT_EQ(call(*up, reply, took).code(), Code::UPSTREAM_UNAVAILABLE);
  EXPECT_EQ(call(*up, reply, took).code(), Code::UPSTREAM_UNAVAILABLE);
  EXPECT_EQ(up->health().breaker.state, BreakerState::kOpen);

  const int before = server.accepted();
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_CIRCUIT_OPEN) << st.message();
  EXPECT_LT(took, milliseconds(50));
  EXPECT_EQ(server.accepted(), before) << "an open circuit does not connect";
  EXPECT_EQ(up->health().breaker.rejected, 1u);

  healthy.store(true);
  std::this_thread::sleep_for(milliseconds(350));
  reply = {};
  EXPECT_TRUE(call(*up, reply, took));
  EXPECT_EQ(up->health().breaker.state, BreakerState::kClosed);
}

TEST_F(UpstreamTest, CallsBeyondMaxConcurrentFailFastWithOverloaded) {
  TinyTlsServer server(dir_, [](Exchange& x) {
    x.wait_for_close();
    return false;
  });
  SourceConfig c = config(server.port());
  c.max_concurrent = 1;
  c.timeout_ms = 1000;
  auto up = upstream(c);
  std::thread first([&] {
    UpstreamReply reply;
    milliseconds took{};
    EXPECT_EQ(call(*up, reply, took).code(), Code::UPSTREAM_UNAVAILABLE);
  });
  while (up->health().in_flight == 0) std::this_thread::sleep_for(milliseconds(5));
  UpstreamReply reply;
  milliseconds took{};
  const Status st = call(*up, reply, took);
  EXPECT_EQ(st.code(), Code::UPSTREAM_OVERLOADED) << st.message();
  EXPECT_LT(took, HttpsUpstream::kSlotWait + milliseconds(100));
  first.join();
  EXPECT_EQ(up->health().overloaded, 1u);
  EXPECT_EQ(server.accepted(), 1);
}

}  // namespace
}  // namespace doelpoort
