// doelpoort-loadgen: an HTTP/1.1 keep-alive load generator over mutual TLS, for bench/compare.
//
// One epoll loop per thread (one thread by default) drives every connection with non-blocking OpenSSL:
// no thread per connection, no gSOAP, so the client spends a few µs per request and stays out of the way
// of the server it measures on a small machine. Each connection has at most one request in flight.
//
//   closed loop  (default) each connection sends its next request as soon as the answer arrives:
//                the maximum throughput at that concurrency.
//   open loop    (--rate R) requests are due at fixed times, R per second in all; a request waits in a
//                queue until a connection is free, and its latency counts from the time it was DUE, not
//                from when it could be sent, so a stalled server cannot hide its stall (no "coordinated
//                omission").
//   idle         (--idle-connections N) opens N connections, sends nothing, holds them for --hold
//                seconds and reports the memory (VmRSS) of the processes named by --rss-pid meanwhile.
//
// Every request body is the --body file with {{message_id}} replaced by a fresh
// urn:uuid (random per run, a counter per request), because doelpoort refuses a replayed wsa:MessageID.
// It prints one JSON object on stdout (see `usage`), and a one-line summary on stderr.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "histogram.h"

namespace {

using doelpoort::bench::Histogram;

constexpr std::string_view kUsage = R"(usage: doelpoort-loadgen --url https://HOST:PORT/PATH --cert FILE --key FILE [options]
  --ca FILE              verify the server's certificate against FILE (and its name against HOST);
                         without it the server is not verified
  --connections N        keep-alive connections (default 8)
  --duration S           measure for S seconds (default 10), or
  --requests N           measure N requests (closed loop only)
  --warmup S             run S seconds first without counting them (default 0)
  --rate R               open loop: R requests per second in all; latency from the intended send time
  --body FILE            request body; {{message_id}} becomes a unique urn:uuid per request
                         (default: an empty body)
  --soap-action A        send SOAPAction: "A"
  --content-type T       default text/xml; charset=utf-8
  --header 'K: V'        an extra request header (repeatable)
  --expect-status N      the only status counted as success (default 200)
  --expect-body TEXT     the answer must contain TEXT
  --no-fault             the answer must not contain a SOAP Fault element
  --timeout-ms N         per request and per handshake (default 10000)
  --threads N            event-loop threads (default 1)
  --connect-concurrency N  handshakes under way at once per thread (default 64)
  --no-resume            do not offer TLS session resumption on reconnects
  --idle-connections N   idle mode: open N connections, send nothing, hold them
  --hold S               idle mode: how long to hold them (default 3)
  --rss-pid PID          report VmRSS of PID (repeatable): at the end of the hold, or of the run
  --quiet                no summary line on stderr
Output (stdout, one JSON object): mode, requests (answers in the window), ok, errors, error_kinds, rps
(successful answers per second), latency_ms {p50,p90,p99,p999,max,mean}, tls {handshakes_full,
handshakes_resumed, handshakes_failed, reconnects, per_1000_requests}, client_cpu_s, rss_kib.
)";

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

constexpr std::uint64_t kSecond = 1'000'000'000ULL;
constexpr std::uint64_t kMilli = 1'000'000ULL;

struct Options {
  std::string url, host, path, cert, key, ca;
  int port = 443;
  int connections = 8;
  double duration_s = 10;
  std::uint64_t requests = 0;  // 0: by duration
  double warmup_s = 0;
  double rate = 0;  // 0: closed loop
  std::string body_file, soap_action, content_type = "text/xml; charset=utf-8";
  std::vector<std::string> headers;
  int expect_status = 200;
  std::string expect_body;
  bool no_fault = false;
  int timeout_ms = 10000;
  int threads = 1;
  int connect_concurrency = 64;
  bool resume = true;
  int idle_connections = 0;
  double hold_s = 3;
  std::vector<int> rss_pids;
  bool quiet = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "doelpoort-loadgen: " << message << " (see --help)\n";
  std::exit(2);
}

template <typename T>
T number(const std::string& name, const std::string& text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) usage_error(name + " needs a number, not \"" + text + "\"");
  return value;
}

Options parse_options(int argc, char** argv) {
  Options o;
  bool have_duration = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    const auto flag = [&](std::string_view name) { return a == name; };
    if (flag("--no-fault")) { o.no_fault = true; continue; }
    if (flag("--no-resume")) { o.resume = false; continue; }
    if (flag("--quiet")) { o.quiet = true; continue; }
    if (i + 1 >= argc) usage_error(a + " needs a value (or is unknown)");
    const std::string v = argv[++i];
    if (a == "--url") o.url = v;
    else if (a == "--cert") o.cert = v;
    else if (a == "--key") o.key = v;
    else if (a == "--ca") o.ca = v;
    else if (a == "--connections") o.connections = number<int>(a, v);
    else if (a == "--duration") { o.duration_s = number<double>(a, v); have_duration = true; }
    else if (a == "--requests") o.requests = number<std::uint64_t>(a, v);
    else if (a == "--warmup") o.warmup_s = number<double>(a, v);
    else if (a == "--rate") o.rate = number<double>(a, v);
    else if (a == "--body") o.body_file = v;
    else if (a == "--soap-action") o.soap_action = v;
    else if (a == "--content-type") o.content_type = v;
    else if (a == "--header") o.headers.push_back(v);
    else if (a == "--expect-status") o.expect_status = number<int>(a, v);
    else if (a == "--expect-body") o.expect_body = v;
    else if (a == "--timeout-ms") o.timeout_ms = number<int>(a, v);
    else if (a == "--threads") o.threads = number<int>(a, v);
    else if (a == "--connect-concurrency") o.connect_concurrency = number<int>(a, v);
    else if (a == "--idle-connections") o.idle_connections = number<int>(a, v);
    else if (a == "--hold") o.hold_s = number<double>(a, v);
    else if (a == "--rss-pid") o.rss_pids.push_back(number<int>(a, v));
    else usage_error("unknown option " + a);
  }
  if (o.url.empty() || o.cert.empty() || o.key.empty()) usage_error("--url, --cert and --key are required");
  constexpr std::string_view kScheme = "https://";
  if (o.url.rfind(kScheme, 0) != 0) usage_error("--url must be https://host:port/path");
  const std::string rest = o.url.substr(kScheme.size());
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  o.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (const auto colon = authority.rfind(':'); colon != std::string::npos && authority.back() != ']') {
    o.port = number<int>("port", authority.substr(colon + 1));
    authority.resize(colon);
  }
  if (authority.size() > 2 && authority.front() == '[') authority = authority.substr(1, authority.size() - 2);
  o.host = authority;
  if (o.connections < 1 || o.threads < 1 || o.connect_concurrency < 1 || o.timeout_ms < 1)
    usage_error("--connections, --threads, --connect-concurrency and --timeout-ms must be positive");
  if (o.rate < 0 || o.duration_s <= 0 || o.warmup_s < 0 || o.hold_s < 0) usage_error("negative or zero time or rate");
  if (o.requests > 0 && o.rate > 0) usage_error("--requests is for the closed loop; give --duration with --rate");
  if (o.requests > 0 && have_duration) usage_error("give --duration or --requests, not both");
  if (o.idle_connections > 0) o.connections = o.idle_connections;
  o.threads = std::min(o.threads, o.connections);
  return o;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) usage_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

// ---- the request: head + body pieces around {{message_id}}, every message id the same length ----

constexpr std::size_t kMessageIdLength = 45;  // urn:uuid: + 36

class RequestTemplate {
 public:
  RequestTemplate(const Options& o, const std::string& body) {
    constexpr std::string_view kMarker = "{{message_id}}";
    std::size_t at = 0, ids = 0;
    for (std::size_t next; (next = body.find(kMarker, at)) != std::string::npos; at = next + kMarker.size(), ++ids)
      pieces_.push_back(body.substr(at, next - at));
    pieces_.push_back(body.substr(at));
    const std::size_t length = body.size() - ids * kMarker.size() + ids * kMessageIdLength;
    std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
    head_ = "POST " + o.path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(o.port) +
            "\r\nContent-Type: " + o.content_type + "\r\nContent-Length: " + std::to_string(length) + "\r\n";
    if (!o.soap_action.empty()) head_ += "SOAPAction: \"" + o.soap_action + "\"\r\n";
    for (const auto& h : o.headers) head_ += h + "\r\n";
    head_ += "\r\n";
  }
  /// Writes the request with `message_id` (kMessageIdLength characters) into `out`, reusing its buffer.
  void render(std::string& out, const char* message_id) const {
    out.assign(head_);
    for (std::size_t i = 0; i < pieces_.size(); ++i) {
      if (i > 0) out.append(message_id, kMessageIdLength);
      out.append(pieces_[i]);
    }
  }

 private:
  std::string head_;
  std::vector<std::string> pieces_;
};

/// urn:uuid:RRRRRRRR-RRRR-4RRR-TTTT-CCCCCCCCCCCC: R random per run, T the thread (with the RFC 4122
/// variant bits), C a per-thread counter. Unique per request, and across runs with near certainty.
class MessageIds {
 public:
  MessageIds(std::uint64_t run, unsigned thread) : run_(run), thread_(thread) {}
  const char* next() {
    std::snprintf(buf_, sizeof buf_, "urn:uuid:%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(run_ >> 32),
                  static_cast<unsigned>((run_ >> 16) & 0xffff), static_cast<unsigned>(run_ & 0xfff),
                  0x8000U | (thread_ & 0x3fffU), static_cast<unsigned long long>(counter_++ & 0xffffffffffffULL));
    return buf_;
  }

 private:
  std::uint64_t run_;
  unsigned thread_;
  std::uint64_t counter_ = 0;
  char buf_[kMessageIdLength + 1];
};

// ---- HTTP/1.1 response parsing, incremental over the bytes received so far ----

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

bool icontains(std::string_view text, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i)
    if (iequals_prefix(text.substr(i), word)) return true;
  return false;
}

struct Response {
  enum class Framing { kLength, kChunked, kUntilClose };
  std::size_t header_end = 0;  // 0: header not complete yet
  int status = 0;
  Framing framing = Framing::kLength;
  std::size_t content_length = 0;
  bool close = false;
  std::size_t chunk_at = 0;  // chunked: where the next size line starts
  std::string chunked_body;
  bool complete = false;
  std::string_view body;

  void reset() {
    header_end = content_length = chunk_at = 0;
    status = 0;
    framing = Framing::kLength;
    close = complete = false;
    chunked_body.clear();
    body = {};
  }

  /// Advances over `in`; false when the answer is not HTTP.
  bool parse(const std::string& in) {
    if (header_end == 0) {
      const auto end = in.find("\r\n\r\n");
      if (end == std::string::npos) return in.size() < 64 * 1024;
      header_end = end + 4;
      if (in.compare(0, 5, "HTTP/") != 0) return false;
      const auto sp = in.find(' ');
      if (sp == std::string::npos || sp + 4 > end) return false;
      status = std::atoi(in.c_str() + sp + 1);
      framing = Framing::kUntilClose;
      bool has_length = false;
      for (std::size_t at = in.find("\r\n") + 2; at < end;) {
        const std::size_t eol = in.find("\r\n", at);
        const std::string_view line(in.data() + at, eol - at);
        if (iequals_prefix(line, "content-length:")) {
          content_length = std::strtoull(std::string(line.substr(15)).c_str(), nullptr, 10);
          has_length = true;
        } else if (iequals_prefix(line, "transfer-encoding:") && icontains(line, "chunked")) {
          framing = Framing::kChunked;
        } else if (iequals_prefix(line, "connection:") && icontains(line, "close")) {
          close = true;
        }
        at = eol + 2;
      }
      if (framing != Framing::kChunked && has_length) framing = Framing::kLength;
      if (status == 204 || status == 304) {
        framing = Framing::kLength;
        content_length = 0;
      }
      chunk_at = header_end;
    }
    switch (framing) {
      case Framing::kLength:
        if (in.size() >= header_end + content_length) {
          complete = true;
          body = std::string_view(in).substr(header_end, content_length);
        }
        return true;
      case Framing::kChunked:
        while (!complete) {
          const auto eol = in.find("\r\n", chunk_at);
          if (eol == std::string::npos) return true;
          const std::size_t size = std::strtoull(in.c_str() + chunk_at, nullptr, 16);
          if (size == 0) {
            const auto trailer_end = in.find("\r\n\r\n", eol);
            if (in.compare(eol, 4, "\r\n\r\n") != 0 && trailer_end == std::string::npos) return true;
            complete = true;
            body = chunked_body;
            return true;
          }
          if (in.size() < eol + 2 + size + 2) return true;
          chunked_body.append(in, eol + 2, size);
          chunk_at = eol + 2 + size + 2;
        }
        return true;
      case Framing::kUntilClose: return true;  // completed by the end of input
    }
    return true;
  }
};

// ---- connections and the event loop ----

enum class State { kClosed, kConnecting, kHandshaking, kIdle, kWriting, kReading };
enum class ErrorKind { kConnect, kTls, kTransport, kTimeout, kStatus, kBody, kFault, kUnfinished, kCount };
constexpr const char* kErrorNames[] = {"connect", "tls", "transport", "timeout", "status", "body", "fault", "unfinished"};

struct Connection {
  int index = 0;
  int fd = -1;
  SSL* ssl = nullptr;
  State state = State::kClosed;
  std::uint32_t events = 0;  // registered with epoll
  bool want_write = false;   // OpenSSL waits for the socket to be writable
  std::string out;
  std::size_t out_at = 0;
  std::string in;
  Response response;
  std::uint64_t origin = 0;    // latency counts from here: the send time, or in open loop the due time
  std::uint64_t deadline = 0;  // handshake or request
  std::uint64_t retry_at = 0;  // closed: reconnect not before
  bool counted = false;        // this request is inside the measured window (decided when issued)
  bool ever_established = false;
};

/// What the threads share: set before they start, or atomics.
struct Shared {
  const Options* options = nullptr;
  const RequestTemplate* request = nullptr;
  SSL_CTX* ctx = nullptr;
  sockaddr_storage address{};
  socklen_t address_length = 0;
  std::uint64_t run_id = 0;
  std::atomic<std::uint64_t> start{0};         // set by the barrier: measurement begins at start + warmup
  std::atomic<bool> release{false};            // idle mode: the main thread has sampled memory
  std::atomic<int> open_connections{0};
};

struct Counters {
  std::uint64_t ok = 0;
  std::uint64_t errors[static_cast<int>(ErrorKind::kCount)] = {};
  std::uint64_t answers_total = 0;  // every answer, counted or not (warm-up too): handshakes per 1000
  std::uint64_t full = 0, resumed = 0, failed_handshakes = 0, reconnects = 0;
  std::uint64_t backlog_max = 0;
  std::uint64_t last_completion = 0;
  std::map<int, std::uint64_t> unexpected_statuses;  // status -> answers, for the `status` errors
};

int new_session_callback(SSL* ssl, SSL_SESSION* session);

/// Runs once when every thread (and main) has arrived: the measurement clock starts for all at once.
struct StartClock {
  Shared* shared;
  void operator()() noexcept { shared->start.store(now_ns()); }
};
using StartBarrier = std::barrier<StartClock>;

class Worker {
 public:
  Worker(Shared& shared, unsigned id, int connections, double rate, std::uint64_t quota,
         StartBarrier& barrier)
      : s_(shared), o_(*shared.options), id_(id), rate_(rate), quota_(quota), ids_(shared.run_id, id),
        barrier_(barrier) {
    conns_.resize(static_cast<std::size_t>(connections));
    for (int i = 0; i < connections; ++i) conns_[static_cast<std::size_t>(i)].index = i;
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
  }
  ~Worker() {
    for (auto& c : conns_) close_connection(c);
    if (session_ != nullptr) SSL_SESSION_free(session_);
    if (epoll_ >= 0) ::close(epoll_);
  }

  void run();
  void store_session(SSL_SESSION* session) {
    if (session_ != nullptr) SSL_SESSION_free(session_);
    session_ = session;
  }

  Histogram histogram;
  Counters counters;

 private:
  enum class Phase { kConnecting, kRunning, kDraining };

  void start_connect(Connection& c, std::uint64_t now);
  void drive(Connection& c, std::uint32_t events, std::uint64_t now);
  bool measured(const Connection& c, std::uint64_t now) const {
    return rate_ == 0 && quota_ == 0 ? in_window(now) : c.counted;  // closed loop by time: when it ends
  }
  void handshake(Connection& c, std::uint64_t now);
  void write(Connection& c, std::uint64_t now);
  void read(Connection& c, std::uint64_t now);
  void became_idle(Connection& c, std::uint64_t now);
  void issue(Connection& c, std::uint64_t origin, bool counted, std::uint64_t now);
  void complete(Connection& c, std::uint64_t now);
  void fail(Connection& c, ErrorKind kind, std::uint64_t now);
  void close_connection(Connection& c);
  void update_events(Connection& c);
  void sweep(std::uint64_t now);
  void dispatch_due(std::uint64_t now);
  bool in_window(std::uint64_t t) const { return t >= window_start_ && t < window_end_; }
  int in_flight() const;
  int handshaking() const;
  void loop_until(const std::function<bool(std::uint64_t)>& done);

  Shared& s_;
  const Options& o_;
  unsigned id_;
  double rate_;
  std::uint64_t quota_;  // closed loop by count: requests to measure on this thread
  std::uint64_t issued_counted_ = 0;
  MessageIds ids_;
  StartBarrier& barrier_;
  int epoll_ = -1;
  std::vector<Connection> conns_;
  std::vector<int> idle_;                // open loop: connections free to take a due request
  std::deque<std::uint64_t> due_;        // open loop: due times of requests waiting for a connection
  std::uint64_t next_due_ = 0;           // open loop: the next request's due time
  std::uint64_t due_count_ = 0;
  Phase phase_ = Phase::kConnecting;
  std::uint64_t window_start_ = 0, window_end_ = UINT64_MAX;
  SSL_SESSION* session_ = nullptr;
  std::uint64_t last_sweep_ = 0;
};

int new_session_callback(SSL* ssl, SSL_SESSION* session) {
  static_cast<Worker*>(SSL_get_app_data(ssl))->store_session(session);
  return 1;  // we keep the reference
}

int Worker::in_flight() const {
  int n = 0;
  for (const auto& c : conns_) n += (c.state == State::kWriting || c.state == State::kReading) ? 1 : 0;
  return n;
}

int Worker::handshaking() const {
  int n = 0;
  for (const auto& c : conns_) n += (c.state == State::kConnecting || c.state == State::kHandshaking) ? 1 : 0;
  return n;
}

void Worker::update_events(Connection& c) {
  if (c.fd < 0) return;
  std::uint32_t ev = EPOLLIN | EPOLLRDHUP;
  if (c.state == State::kConnecting || c.want_write) ev |= EPOLLOUT;
  if (ev == c.events) return;
  epoll_event e{};
  e.events = ev;
  e.data.u32 = static_cast<std::uint32_t>(c.index);
  epoll_ctl(epoll_, c.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd, &e);
  c.events = ev;
}

void Worker::close_connection(Connection& c) {
  if (c.ssl != nullptr) {
    if (c.state == State::kIdle) SSL_shutdown(c.ssl);  // a polite close_notify when nothing is under way
    SSL_free(c.ssl);
    c.ssl = nullptr;
  }
  if (c.fd >= 0) {
    ::close(c.fd);  // also removes it from the epoll set
    c.fd = -1;
  }
  if (c.state != State::kClosed && c.ever_established && c.state != State::kConnecting &&
      c.state != State::kHandshaking)
    s_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  c.state = State::kClosed;
  c.events = 0;
  c.want_write = false;
}

void Worker::start_connect(Connection& c, std::uint64_t now) {
  close_connection(c);
  c.fd = ::socket(s_.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) {
    fail(c, ErrorKind::kConnect, now);
    return;
  }
  const int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c.state = State::kConnecting;
  c.deadline = now + static_cast<std::uint64_t>(o_.timeout_ms) * kMilli;
  c.ever_established = false;
  if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&s_.address), s_.address_length) != 0 &&
      errno != EINPROGRESS) {
    fail(c, ErrorKind::kConnect, now);
    return;
  }
  update_events(c);
}

void Worker::fail(Connection& c, ErrorKind kind, std::uint64_t now) {
  const bool request_under_way = c.state == State::kWriting || c.state == State::kReading;
  // An error counts when its request was measured; a failed connect or handshake always counts.
  if (!request_under_way || measured(c, now)) ++counters.errors[static_cast<int>(kind)];
  if (kind == ErrorKind::kTls || (kind == ErrorKind::kTimeout && c.state == State::kHandshaking))
    ++counters.failed_handshakes;
  const bool was_connecting = c.state == State::kConnecting || c.state == State::kHandshaking;
  close_connection(c);
  c.retry_at = now + (was_connecting ? 100 * kMilli : 0);  // do not hammer a server that refuses
}

void Worker::drive(Connection& c, std::uint32_t events, std::uint64_t now) {
  switch (c.state) {
    case State::kConnecting: {
      if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        fail(c, ErrorKind::kConnect, now);
        return;
      }
      c.ssl = SSL_new(s_.ctx);
      SSL_set_fd(c.ssl, c.fd);
      SSL_set_connect_state(c.ssl);
      SSL_set_app_data(c.ssl, this);
      if (o_.resume && session_ != nullptr) SSL_set_session(c.ssl, session_);
      c.state = State::kHandshaking;
      handshake(c, now);
      return;
    }
    case State::kHandshaking: handshake(c, now); return;
    case State::kWriting: write(c, now); return;
    case State::kIdle:
    case State::kReading: read(c, now); return;
    case State::kClosed: return;
  }
}

void Worker::handshake(Connection& c, std::uint64_t now) {
  ERR_clear_error();
  const int r = SSL_do_handshake(c.ssl);
  if (r == 1) {
    ++(SSL_session_reused(c.ssl) ? counters.resumed : counters.full);
    c.ever_established = true;
    s_.open_connections.fetch_add(1, std::memory_order_relaxed);
    c.want_write = false;
    became_idle(c, now);
    update_events(c);
    return;
  }
  const int e = SSL_get_error(c.ssl, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    c.want_write = e == SSL_ERROR_WANT_WRITE;
    update_events(c);
    return;
  }
  fail(c, ErrorKind::kTls, now);
}

void Worker::became_idle(Connection& c, std::uint64_t now) {
  c.state = State::kIdle;
  c.in.clear();
  c.response.reset();
  if (phase_ != Phase::kRunning) return;
  if (rate_ > 0) {
    idle_.push_back(c.index);
    return;
  }
  // Closed loop: the next request at once, while the window (or the count) lasts.
  now = now_ns();  // the send time: other events of this batch may have taken a while
  if (quota_ > 0) {
    const bool counted = now >= window_start_;
    if (counted && issued_counted_ >= quota_) return;
    if (counted) ++issued_counted_;
    issue(c, now, counted, now);
  } else if (now < window_end_) {
    issue(c, now, false, now);  // counted or not is decided when it completes
  }
}

void Worker::issue(Connection& c, std::uint64_t origin, bool counted, std::uint64_t now) {
  s_.request->render(c.out, ids_.next());
  c.out_at = 0;
  c.origin = origin;
  c.counted = counted;
  c.deadline = now + static_cast<std::uint64_t>(o_.timeout_ms) * kMilli;
  c.state = State::kWriting;
  c.in.clear();
  c.response.reset();
  write(c, now);
}

void Worker::write(Connection& c, std::uint64_t now) {
  while (c.out_at < c.out.size()) {
    ERR_clear_error();
    const int n = SSL_write(c.ssl, c.out.data() + c.out_at, static_cast<int>(c.out.size() - c.out_at));
    if (n > 0) {
      c.out_at += static_cast<std::size_t>(n);
      continue;
    }
    const int e = SSL_get_error(c.ssl, n);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
      c.want_write = e == SSL_ERROR_WANT_WRITE;
      update_events(c);
      return;
    }
    fail(c, ErrorKind::kTransport, now);
    return;
  }
  c.state = State::kReading;
  if (c.want_write) {
    c.want_write = false;
    update_events(c);
  }
  read(c, now);  // the answer may be there already (a TLS record read along with a ticket)
}

void Worker::read(Connection& c, std::uint64_t now) {
  char buf[16384];
  while (true) {
    ERR_clear_error();
    const int n = SSL_read(c.ssl, buf, sizeof buf);
    if (n > 0) {
      if (c.state != State::kReading) {  // bytes nobody asked for: not HTTP/1.1 as we speak it
        fail(c, ErrorKind::kTransport, now);
        return;
      }
      c.in.append(buf, static_cast<std::size_t>(n));
      if (!c.response.parse(c.in)) {
        fail(c, ErrorKind::kTransport, now);
        return;
      }
      if (c.response.complete) {
        complete(c, now);
        return;
      }
      continue;
    }
    const int e = SSL_get_error(c.ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      const bool ww = e == SSL_ERROR_WANT_WRITE;
      if (ww != c.want_write) {
        c.want_write = ww;
        update_events(c);
      }
      return;
    }
    // The end of input: completes an answer framed by the close; otherwise the server went away.
    if (c.state == State::kReading && c.response.header_end != 0 &&
        c.response.framing == Response::Framing::kUntilClose) {
      c.response.complete = true;
      c.response.body = std::string_view(c.in).substr(c.response.header_end);
      c.response.close = true;
      complete(c, now);
      return;
    }
    if (c.state == State::kIdle) {  // a keep-alive connection the server closed: open a new one
      close_connection(c);
      c.retry_at = now;
      return;
    }
    fail(c, ErrorKind::kTransport, now);
    return;
  }
}

void Worker::complete(Connection& c, std::uint64_t now) {
  ++counters.answers_total;
  const Response& r = c.response;
  const bool counted = measured(c, now);
  ErrorKind error = ErrorKind::kCount;
  if (r.status != o_.expect_status) error = ErrorKind::kStatus;
  else if (!o_.expect_body.empty() && r.body.find(o_.expect_body) == std::string_view::npos) error = ErrorKind::kBody;
  else if (o_.no_fault && (r.body.find(":Fault>") != std::string_view::npos || r.body.find("<Fault>") != std::string_view::npos))
    error = ErrorKind::kFault;
  if (counted) {
    if (error == ErrorKind::kCount) {
      ++counters.ok;
      histogram.record(now - c.origin);
    } else {
      ++counters.errors[static_cast<int>(error)];
      if (error == ErrorKind::kStatus) ++counters.unexpected_statuses[r.status];
    }
    counters.last_completion = now;
  }
  if (r.close) {  // the server ends the connection after this answer: reconnect
    c.state = State::kIdle;
    close_connection(c);
    c.retry_at = now;
    return;
  }
  became_idle(c, now);
}

void Worker::sweep(std::uint64_t now) {
  last_sweep_ = now;
  for (auto& c : conns_) {
    if (c.state == State::kClosed) {
      if (phase_ == Phase::kRunning && now >= c.retry_at && o_.idle_connections == 0) {
        ++counters.reconnects;
        start_connect(c, now);
      }
      continue;
    }
    if (c.state != State::kIdle && now >= c.deadline) fail(c, ErrorKind::kTimeout, now);
  }
}

// Open loop: requests fall due at start + i/rate; each goes to a free connection, or waits for one.
void Worker::dispatch_due(std::uint64_t now) {
  const double interval = static_cast<double>(kSecond) / rate_;
  while (next_due_ <= now && next_due_ < window_end_) {
    due_.push_back(next_due_);
    ++due_count_;
    next_due_ = s_.start.load() + static_cast<std::uint64_t>(static_cast<double>(due_count_) * interval) +
                static_cast<std::uint64_t>(interval * id_ / o_.threads);
  }
  counters.backlog_max = std::max<std::uint64_t>(counters.backlog_max, due_.size());
  while (!due_.empty() && !idle_.empty()) {
    Connection& c = conns_[static_cast<std::size_t>(idle_.back())];
    idle_.pop_back();
    if (c.state != State::kIdle) continue;  // closed since it became free
    const std::uint64_t due = due_.front();
    due_.pop_front();
    issue(c, due, in_window(due), now);
  }
}

void Worker::loop_until(const std::function<bool(std::uint64_t)>& done) {
  epoll_event events[256];
  while (true) {
    std::uint64_t now = now_ns();
    if (phase_ == Phase::kRunning && rate_ > 0) dispatch_due(now);
    if (done(now)) return;
    if (now - last_sweep_ >= 20 * kMilli) sweep(now);
    std::uint64_t wait = 20 * kMilli;
    if (phase_ == Phase::kRunning && rate_ > 0 && next_due_ < window_end_)
      wait = next_due_ > now ? std::min(wait, next_due_ - now) : 0;
    const timespec timeout{static_cast<time_t>(wait / kSecond), static_cast<long>(wait % kSecond)};
    const int n = epoll_pwait2(epoll_, events, 256, &timeout, nullptr);
    now = now_ns();
    for (int i = 0; i < n; ++i) drive(conns_[events[i].data.u32], events[i].events, now);
  }
}

void Worker::run() {
  // Connect everything first, a bounded number of handshakes at a time.
  std::size_t next = 0;
  loop_until([&](std::uint64_t now) {
    while (next < conns_.size() && handshaking() < o_.connect_concurrency) start_connect(conns_[next++], now);
    return next == conns_.size() && handshaking() == 0;
  });
  barrier_.arrive_and_wait();  // the completion sets s_.start for every thread at once
  const std::uint64_t start = s_.start.load();
  window_start_ = start + static_cast<std::uint64_t>(o_.warmup_s * static_cast<double>(kSecond));

  if (o_.idle_connections > 0) {  // hold them until the main thread has looked at memory
    loop_until([&](std::uint64_t) { return s_.release.load(); });
    return;
  }
  window_end_ = quota_ > 0 ? UINT64_MAX : window_start_ + static_cast<std::uint64_t>(o_.duration_s * static_cast<double>(kSecond));
  phase_ = Phase::kRunning;
  next_due_ = start + static_cast<std::uint64_t>(static_cast<double>(kSecond) / std::max(rate_, 1e-9) * id_ / o_.threads);
  const std::uint64_t now = now_ns();
  for (auto& c : conns_) {
    if (c.state == State::kIdle) became_idle(c, now);
    else if (c.state == State::kClosed) c.retry_at = now;
  }
  // Run until the window ends (or the count is reached), then let what is under way finish.
  const std::uint64_t drain = static_cast<std::uint64_t>(o_.timeout_ms) * kMilli;
  std::uint64_t drain_until = UINT64_MAX;
  loop_until([&](std::uint64_t t) {
    const bool issuing_over = quota_ > 0 ? issued_counted_ >= quota_ : t >= window_end_;
    if (!issuing_over) return false;
    if (phase_ == Phase::kRunning) {
      phase_ = Phase::kDraining;
      drain_until = t + drain;
    }
    return (in_flight() == 0 && due_.empty()) || t >= drain_until;
  });
  // Open loop: what was due in the window but never answered counts as an error.
  for (const std::uint64_t due : due_)
    if (in_window(due)) ++counters.errors[static_cast<int>(ErrorKind::kUnfinished)];
  for (const auto& c : conns_)
    if ((c.state == State::kWriting || c.state == State::kReading) && (c.counted || (rate_ == 0 && quota_ == 0)))
      ++counters.errors[static_cast<int>(ErrorKind::kUnfinished)];
  if (quota_ > 0) window_end_ = counters.last_completion;
}

SSL_CTX* make_context(const Options& o) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One read() per TLS record instead of two (header, then body): fewer system calls on the client.
  // Safe here because read() always calls SSL_read until it wants more input.
  SSL_CTX_set_read_ahead(ctx, 1);
  if (SSL_CTX_use_certificate_chain_file(ctx, o.cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, o.key.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    std::cerr << "doelpoort-loadgen: cannot load " << o.cert << " / " << o.key << "\n";
    std::exit(2);
  }
  if (!o.ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, o.ca.c_str(), nullptr) != 1) {
      std::cerr << "doelpoort-loadgen: cannot load " << o.ca << "\n";
      std::exit(2);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, o.host.c_str()) != 1) X509_VERIFY_PARAM_set1_host(param, o.host.c_str(), 0);
  }
  // Remember the newest session (TLS 1.3 tickets arrive after the handshake) to offer on reconnects.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, new_session_callback);
  return ctx;
}

void resolve(Shared& s, const Options& o) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &res) != 0 || res == nullptr) {
    std::cerr << "doelpoort-loadgen: cannot resolve " << o.host << "\n";
    std::exit(2);
  }
  std::memcpy(&s.address, res->ai_addr, res->ai_addrlen);
  s.address_length = static_cast<socklen_t>(res->ai_addrlen);
  freeaddrinfo(res);
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // SSL_write on a socket the server closed
  const Options o = parse_options(argc, argv);
  const RequestTemplate request(o, o.body_file.empty() ? std::string() : read_file(o.body_file));

  Shared shared;
  shared.options = &o;
  shared.request = &request;
  shared.ctx = make_context(o);
  resolve(shared, o);
  RAND_bytes(reinterpret_cast<unsigned char*>(&shared.run_id), sizeof shared.run_id);

  const bool idle_mode = o.idle_connections > 0;
  StartBarrier barrier(o.threads + 1, StartClock{&shared});
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < o.threads; ++t) {
    const int conns = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
    const std::uint64_t quota = o.requests / static_cast<std::uint64_t>(o.threads) +
                                (static_cast<std::uint64_t>(t) < o.requests % static_cast<std::uint64_t>(o.threads) ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(shared, static_cast<unsigned>(t), conns, o.rate / o.threads,
                                               o.requests > 0 ? std::max<std::uint64_t>(quota, 1) : 0, barrier));
  }
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

  barrier.arrive_and_wait();  // every connection is established (or has failed)
  const std::uint64_t start = shared.start.load();
  const int established = shared.open_connections.load();
  const double cpu_start = cpu_seconds();
  std::map<int, long> rss;
  int open_at_sample = 0;
  if (idle_mode) {
    std::this_thread::sleep_for(std::chrono::duration<double>(o.hold_s));
    for (int pid : o.rss_pids) rss[pid] = rss_kib(pid);
    open_at_sample = shared.open_connections.load();
    shared.release.store(true);
  }
  for (auto& t : threads) t.join();
  const double cpu = cpu_seconds() - cpu_start;
  if (!idle_mode)
    for (int pid : o.rss_pids) rss[pid] = rss_kib(pid);

  Histogram h;
  Counters total;
  for (auto& w : workers) {
    h.merge(w->histogram);
    const Counters& c = w->counters;
    total.ok += c.ok;
    for (int k = 0; k < static_cast<int>(ErrorKind::kCount); ++k) total.errors[k] += c.errors[k];
    total.answers_total += c.answers_total;
    total.full += c.full;
    total.resumed += c.resumed;
    total.failed_handshakes += c.failed_handshakes;
    total.reconnects += c.reconnects;
    total.backlog_max = std::max(total.backlog_max, c.backlog_max);
    total.last_completion = std::max(total.last_completion, c.last_completion);
    for (const auto& [status, n] : c.unexpected_statuses) total.unexpected_statuses[status] += n;
  }
  std::uint64_t errors = 0;
  nlohmann::ordered_json kinds = nlohmann::ordered_json::object();
  for (int k = 0; k < static_cast<int>(ErrorKind::kCount); ++k) {
    errors += total.errors[k];
    if (total.errors[k] > 0) kinds[kErrorNames[k]] = total.errors[k];
  }
  const std::uint64_t window_start = start + static_cast<std::uint64_t>(o.warmup_s * 1e9);
  double window_s = o.duration_s;
  if (o.requests > 0) window_s = total.last_completion > window_start ? static_cast<double>(total.last_completion - window_start) / 1e9 : 0;

  nlohmann::ordered_json j;
  j["mode"] = idle_mode ? "idle" : o.rate > 0 ? "open" : "closed";
  j["url"] = o.url;
  j["connections"] = o.connections;
  j["threads"] = o.threads;
  if (o.rate > 0) j["target_rate"] = o.rate;
  if (idle_mode) {
    j["connections_established"] = established;
    j["connections_open_at_sample"] = open_at_sample;
    j["hold_s"] = o.hold_s;
  } else {
    j["duration_s"] = window_s;
    j["requests"] = total.ok + errors;
    j["answers_total"] = total.answers_total;  // warm-up and drain included: divide the run's CPU by this
    j["ok"] = total.ok;
    j["errors"] = errors;
    j["error_kinds"] = kinds;
    if (!total.unexpected_statuses.empty()) {
      nlohmann::ordered_json statuses = nlohmann::ordered_json::object();
      for (const auto& [status, n] : total.unexpected_statuses) statuses[std::to_string(status)] = n;
      j["unexpected_statuses"] = statuses;
    }
    j["rps"] = window_s > 0 ? static_cast<double>(total.ok) / window_s : 0.0;
    j["latency_ms"] = {{"p50", ms(h.value_at_percentile(50))},   {"p90", ms(h.value_at_percentile(90))},
                       {"p99", ms(h.value_at_percentile(99))},   {"p999", ms(h.value_at_percentile(99.9))},
                       {"max", ms(h.max())},                      {"mean", h.mean() / 1e6},
                       {"min", ms(h.min())}};
    if (o.rate > 0) j["backlog_max"] = total.backlog_max;
  }
  const std::uint64_t handshakes = total.full + total.resumed;
  j["tls"] = {{"handshakes_full", total.full},
              {"handshakes_resumed", total.resumed},
              {"handshakes_failed", total.failed_handshakes},
              {"reconnects", total.reconnects},
              {"per_1000_requests", total.answers_total > 0 ? 1000.0 * static_cast<double>(handshakes) /
                                                                  static_cast<double>(total.answers_total)
                                                            : 0.0}};
  j["client_cpu_s"] = cpu;
  if (idle_mode) j["answers_total"] = 0;
  j["client_cpu_us_per_request"] = total.answers_total > 0 ? cpu * 1e6 / static_cast<double>(total.answers_total) : 0.0;
  if (!rss.empty()) {
    nlohmann::ordered_json r = nlohmann::ordered_json::object();
    for (const auto& [pid, kib] : rss) r[std::to_string(pid)] = kib;
    j["rss_kib"] = r;
  }
  std::cout << j.dump() << std::endl;
  if (!o.quiet) {
    if (idle_mode)
      std::fprintf(stderr, "loadgen: %d/%d connections established, %d open after %.1f s; %llu full + %llu resumed handshakes\n",
                   established, o.connections, open_at_sample, o.hold_s, static_cast<unsigned long long>(total.full),
                   static_cast<unsigned long long>(total.resumed));
    else
      std::fprintf(stderr,
                   "loadgen: %s %d conns: %llu ok, %llu errors in %.1f s = %.0f/s; p50 %.2f p99 %.2f p99.9 %.2f max %.2f ms; "
                   "client cpu %.2f s\n",
                   o.rate > 0 ? "open" : "closed", o.connections, static_cast<unsigned long long>(total.ok),
                   static_cast<unsigned long long>(errors), window_s,
                   window_s > 0 ? static_cast<double>(total.ok) / window_s : 0.0, ms(h.value_at_percentile(50)),
                   ms(h.value_at_percentile(99)), ms(h.value_at_percentile(99.9)), ms(h.max()), cpu);
  }
  SSL_CTX_free(shared.ctx);
  if (idle_mode) return established == o.connections ? 0 : 1;
  return total.ok > 0 ? 0 : 1;
}
