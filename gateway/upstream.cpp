#include "upstream.h"

#include <openssl/err.h>
#include <poll.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "cert_expiry.h"
#include "metrics.h"
#include "soap_message.h"
#include "stdsoap2.h"
#include "xml_safe.h"

namespace doelpoort {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kContentType = "text/xml; charset=utf-8";

/// Why an attempt has no usable answer. Decides the one retry and the breaker's verdict.
enum class Failure : std::uint8_t {
  kNone,       ///< an answer to pass on (its HTTP status may still be an error the pipeline judges)
  kConnect,    ///< no connection (TCP connect or TLS handshake): the request never left; retryable
  kTransport,  ///< after connecting: sending or receiving failed, was reset, cut off or out of time
  kServer,     ///< HTTP 5xx without a SOAP envelope: the registry itself is failing
  kRefused,    ///< an answer we will not read (too large, compressed): the registry is up
};

CircuitBreaker::Verdict verdict_of(Failure f) {
  switch (f) {
    case Failure::kNone: return CircuitBreaker::Verdict::kSuccess;
    case Failure::kRefused: return CircuitBreaker::Verdict::kNone;
    case Failure::kConnect:
    case Failure::kTransport:
    case Failure::kServer: return CircuitBreaker::Verdict::kFailure;
  }
  return CircuitBreaker::Verdict::kNone;
}

/// The registry_errors_total kind of a failed attempt (kNone with an error: a SOAP Fault in a 2xx answer).
RegistryError error_kind(Failure f, bool deadline_passed) {
  switch (f) {
    case Failure::kConnect: return RegistryError::Connect;
    case Failure::kTransport: return deadline_passed ? RegistryError::Timeout : RegistryError::Transport;
    case Failure::kServer: return RegistryError::ServerError;
    case Failure::kRefused: return RegistryError::Refused;
    case Failure::kNone: break;
  }
  return RegistryError::SoapFault;
}

/// gSOAP timeouts: a negative value is microseconds, and 0 means "wait forever": at least 1 ms.
int soap_timeout(Clock::duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return -static_cast<int>(std::clamp<long long>(us, 1000, INT_MAX));
}

/// A registry-supplied header value, made short enough for a log line.
std::string clipped(const char* value) {
  std::string v(value != nullptr ? value : "");
  if (v.size() > 40) v.replace(40, std::string::npos, "...");
  return v;
}

/// One line saying why gSOAP failed (e.g. the TLS verification error).
std::string soap_reason(struct soap* s) {
  const char* what = soap_fault_string(s);
  const char* detail = soap_fault_detail(s);
  std::string line = what != nullptr ? what : "unknown error";
  if (detail != nullptr && *detail != '\0') line += std::string(" (") + detail + ")";
  std::replace(line.begin(), line.end(), '\n', ' ');
  return line;
}

constexpr std::string_view kSoap11 = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kSoap12 = "http://www.w3.org/2003/05/soap-envelope";

bool is_element(const xmlNode* n, std::string_view local, std::string_view ns) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && reinterpret_cast<const char*>(n->name) == local &&
         n->ns != nullptr && reinterpret_cast<const char*>(n->ns->href) == ns;
}

const xmlNode* next_element(const xmlNode* n) {
  for (n = n != nullptr ? n->next : nullptr; n != nullptr; n = n->next)
    if (n->type == XML_ELEMENT_NODE) return n;
  return nullptr;
}

const xmlNode* first_element(const xmlNode* parent) {
  const xmlNode* n = parent != nullptr ? parent->children : nullptr;
  return n == nullptr || n->type == XML_ELEMENT_NODE ? n : next_element(n);
}

/// What an answer's body is, as far as the breaker and the pipeline care.
struct Envelope {
  bool envelope = false;   ///< a SOAP 1.1 or 1.2 envelope: the registry's deliberate answer
  bool fault = false;      ///< whose Body holds a Fault
  std::string fault_text;  ///< its faultstring (SOAP 1.1) or Reason (1.2), clipped
};

Envelope read_envelope(const std::string& body) {
  Envelope e;
  std::string error;
  const xml::DocPtr doc = xml::parse_untrusted(body, body.size() + 1, error);
  const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  const std::string_view ns = is_element(root, "Envelope", kSoap11) ? kSoap11 : kSoap12;
  if (!is_element(root, "Envelope", ns)) return e;
  e.envelope = true;
  const xmlNode* part = first_element(root);
  if (is_element(part, "Header", ns)) part = next_element(part);
  const xmlNode* fault = is_element(part, "Body", ns) ? first_element(part) : nullptr;
  if (!is_element(fault, "Fault", ns)) return e;
  e.fault = true;
  for (const xmlNode* n = first_element(fault); n != nullptr; n = next_element(n)) {
    const std::string_view name = reinterpret_cast<const char*>(n->name);
    if (name == "faultstring" || name == "Reason") e.fault_text = xml::text_of(n);
  }
  if (e.fault_text.size() > 200) e.fault_text.replace(200, std::string::npos, "...");
  return e;
}

}  // namespace

/// One pooled connection: a gSOAP context whose I/O functions are wrapped by the hooks below, so that
/// every read and write is bounded by the call's deadline and the answer's headers are vetted.
struct HttpsUpstream::Connection {
  struct soap* soap = nullptr;
  // gSOAP's own functions, which the hooks call.
  SOAP_SOCKET (*open)(struct soap*, const char*, const char*, int) = nullptr;
  int (*send)(struct soap*, const char*, std::size_t) = nullptr;
  std::size_t (*recv)(struct soap*, char*, std::size_t) = nullptr;
  int (*parse_header)(struct soap*, const char*, const char*) = nullptr;
  int (*post_header)(struct soap*, const char*, const char*) = nullptr;
  // Fixed for the registry.
  const RegistryMetrics* metrics = nullptr;
  milliseconds connect_timeout{1000};
  ULONG64 max_reply_bytes = 0;
  // Per call (begin_call).
  Clock::time_point deadline{};
  bool connect_failed = false;  // the hook's connect (TCP or TLS) failed
  bool cut_off = false;         // a read or write returned nothing: closed, reset or out of time
  std::string refused;          // why the answer's headers were refused; empty when they were not
  std::string out;              // the request as gSOAP writes it (header, then body): sent whole by flush
  // How to close: a connection that may be healthy says goodbye (TLS close_notify); a broken one does
  // not. Neither waits for the registry's close_notify (gSOAP's tcp_disconnect would, up to 5 s).
  bool polite_close = false;

  void begin_call(Clock::time_point d) {
    deadline = d;
    connect_failed = cut_off = false;
    refused.clear();
    out.clear();
  }
  Clock::duration left() const { return deadline - Clock::now(); }

  ~Connection() {
    if (soap == nullptr) return;
    if (soap->ssl != nullptr) {
      if (polite_close) (void)SSL_shutdown(soap->ssl);  // non-blocking socket: sends, does not wait
      SSL_set_quiet_shutdown(soap->ssl, 1);             // so tcp_disconnect does not wait either
      ERR_clear_error();
    }
    // soap_free alone leaks what gSOAP allocated for the last error (its fault struct): end first.
    soap_destroy(soap);
    soap_end(soap);
    soap_free(soap);
  }
};

namespace {

using Connection = HttpsUpstream::Connection;

Connection& connection_of(struct soap* s) { return *static_cast<Connection*>(s->user); }

/// TCP connect and TLS handshake within the connect timeout and what is left of the deadline.
SOAP_SOCKET open_hook(struct soap* s, const char* endpoint, const char* host, int port) {
  Connection& c = connection_of(s);
  const Clock::duration budget = std::min<Clock::duration>(c.connect_timeout, c.left());
  c.connect_failed = true;
  if (budget <= Clock::duration::zero()) {
    (void)soap_set_receiver_error(s, "Timeout", "no time left to connect", SOAP_TCP_ERROR);
    return SOAP_INVALID_SOCKET;
  }
  // tcp_connect bounds the TLS handshake by the largest of the three: all get the connect budget.
  s->connect_timeout = s->recv_timeout = s->send_timeout = soap_timeout(budget);
  const SOAP_SOCKET fd = c.open(s, endpoint, host, port);
  c.connect_failed = !soap_valid_socket(fd) || s->error != SOAP_OK;
  // A new connection shows the registry's (verified) certificate: note when it expires.
  if (!c.connect_failed && c.metrics != nullptr && s->ssl != nullptr)
    if (const auto t = certs::not_after(SSL_get0_peer_certificate(s->ssl)))
      c.metrics->server_certificate_expires(static_cast<double>(*t));
  return fd;
}

/// gSOAP writes a request's HTTP header and its body separately: two TLS records, two system calls
/// and two TCP segments for the registry to read. Over TLS the hook collects them and flush() sends
/// them in one write.
int send_hook(struct soap* s, const char* data, std::size_t n) {
  Connection& c = connection_of(s);
  const Clock::duration budget = c.left();
  int rc = SOAP_EOF;
  if (budget > Clock::duration::zero() && s->ssl != nullptr) {
    c.out.append(data, n);
    rc = SOAP_OK;
  } else if (budget > Clock::duration::zero()) {
    s->send_timeout = soap_timeout(budget);
    rc = c.send(s, data, n);
  }
  if (rc != SOAP_OK) c.cut_off = true;
  return rc;
}

/// Sends what send_hook collected; false when the write failed or the deadline passed.
bool flush(struct soap* s, Connection& c) {
  if (c.out.empty()) return true;
  if (!tls::write(s->ssl, s->socket, c.out.data(), c.out.size(), c.deadline, &s->errnum)) {
    c.cut_off = true;
    return false;
  }
  c.out.clear();
  return true;
}

/// Each read waits at most what is left of the deadline, and none starts after it: a registry that
/// drips its answer is cut off at the deadline. gSOAP never reads past the end of an answer framed by
/// Content-Length or chunks, so a read that returns nothing always means a broken answer.
std::size_t recv_hook(struct soap* s, char* buffer, std::size_t n) {
  Connection& c = connection_of(s);
  const Clock::duration budget = c.left();
  std::size_t got = 0;
  if (budget > Clock::duration::zero() && s->ssl != nullptr) {
    got = tls::read(s->ssl, s->socket, buffer, n, c.deadline, &s->errnum);
  } else if (budget > Clock::duration::zero()) {
    s->recv_timeout = soap_timeout(budget);
    got = c.recv(s, buffer, n);
  }
  if (got == 0) c.cut_off = true;
  return got;
}

/// Vets the answer's headers before gSOAP acts on them. A refused header is not passed on: gSOAP then
/// sets up no inflater and allocates nothing for the announced length (it would, for any status).
int parse_header_hook(struct soap* s, const char* key, const char* value) {
  Connection& c = connection_of(s);
  if (strcasecmp(key, "Content-Encoding") == 0 && strcasecmp(value, "identity") != 0) {
    c.refused = "is compressed (Content-Encoding: " + clipped(value) + ")";
    return SOAP_OK;
  }
  if (strcasecmp(key, "Content-Length") == 0) {
    const unsigned long long length = std::strtoull(value, nullptr, 10);
    if (length > c.max_reply_bytes || value[0] == '-') {
      c.refused = "announces " + clipped(value) + " bytes, over the limit of " + std::to_string(c.max_reply_bytes);
      return SOAP_OK;
    }
  }
  return c.parse_header(s, key, value);
}

/// We accept identity only, so we do not advertise gzip or deflate (gSOAP WITH_GZIP would).
int post_header_hook(struct soap* s, const char* key, const char* value) {
  if (key != nullptr && strcasecmp(key, "Accept-Encoding") == 0) return SOAP_OK;
  return connection_of(s).post_header(s, key, value);
}

/// gSOAP polls a kept-alive socket before reusing it and silently reconnects when the poll fails, which
/// would hide a connect from us. acquire() has just checked the connection: nothing to do here.
int poll_hook(struct soap*) { return SOAP_OK; }

/// An idle keep-alive connection has nothing to read. A socket that is readable, hung up or in error
/// was closed by the registry (or carries bytes nobody asked for): either way it must not be reused.
bool idle_connection_open(struct soap* s) {
  if (!soap_valid_socket(s->socket) || s->keep_alive == 0) return false;
  if (s->ssl != nullptr && SSL_has_pending(s->ssl) == 1) return false;  // bytes read ahead count too
  pollfd p{s->socket, POLLIN | POLLRDHUP, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace

struct HttpsUpstream::Attempt {
  Status status;
  Failure failure = Failure::kNone;
};

std::unique_ptr<HttpsUpstream> HttpsUpstream::create(const SourceConfig& config, long max_reply_bytes,
                                                     std::string& error, const RegistryMetrics* metrics) {
  tls::CtxPtr ctx = tls::make_client_context(config.tls, error);
  if (!ctx) {
    error = "source \"" + config.name + "\": " + error;
    return nullptr;
  }
  // Read ahead: OpenSSL fills its buffer with whatever the socket holds instead of reading a record's
  // 5-byte header and then its body in two calls (5.8 -> 3.6 reads per inquiry in bench/compare).
  // Safe because every read of a registry connection is tls::read, which waits only when OpenSSL asks
  // it to (WANT_READ), and the idle check counts the bytes read ahead (SSL_has_pending).
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  return std::unique_ptr<HttpsUpstream>(new HttpsUpstream(config, max_reply_bytes, std::move(ctx), metrics));
}

HttpsUpstream::HttpsUpstream(const SourceConfig& config, long max_reply_bytes, tls::CtxPtr ctx,
                             const RegistryMetrics* metrics)
    : config_(config),
      max_reply_bytes_(max_reply_bytes),
      ctx_(std::move(ctx)),
      breaker_({config.breaker_failures, milliseconds(config.breaker_cooldown_ms)}),
      metrics_(metrics) {}

HttpsUpstream::~HttpsUpstream() = default;  // idle connections close politely (release set that)

Status HttpsUpstream::call(std::string_view request, const std::string& action, UpstreamReply& reply) {
  const Clock::time_point start = Clock::now();
  const CircuitBreaker::Ticket ticket = breaker_.admit(start);
  if (!ticket.admitted()) {
    if (metrics_ != nullptr) metrics_->error(RegistryError::CircuitOpen);
    return circuit_open_status(start);
  }
  CircuitBreaker::Verdict verdict = CircuitBreaker::Verdict::kNone;
  Status st = call_admitted(request, action, reply, start + milliseconds(config_.timeout_ms), verdict);
  const Clock::time_point end = Clock::now();
  breaker_.record(ticket, verdict, end);
  if (metrics_ != nullptr) metrics_->call_duration->Observe(std::chrono::duration<double>(end - start).count());
  return st;
}

Status HttpsUpstream::call_admitted(std::string_view request, const std::string& action, UpstreamReply& reply,
                                    Clock::time_point deadline, CircuitBreaker::Verdict& verdict) {
  if (!take_slot(std::min(deadline, Clock::now() + kSlotWait))) {
    overloaded_.fetch_add(1, std::memory_order_relaxed);
    if (metrics_ != nullptr) metrics_->error(RegistryError::Overloaded);
    return {Code::UPSTREAM_OVERLOADED, std::to_string(config_.max_concurrent) + " calls to " + config_.url +
                                           " are under way; no slot came free within " +
                                           std::to_string(kSlotWait.count()) + " ms"};
  }
  Attempt a = attempt(request, action, reply, deadline);
  if (a.failure == Failure::kConnect && Clock::now() < deadline) {
    connect_retries_.fetch_add(1, std::memory_order_relaxed);
    reply = {};
    a = attempt(request, action, reply, deadline);
  }
  give_slot();
  verdict = verdict_of(a.failure);
  if (metrics_ != nullptr && !a.status.is_ok()) metrics_->error(error_kind(a.failure, Clock::now() >= deadline));
  return std::move(a.status);
}

HttpsUpstream::Attempt HttpsUpstream::attempt(std::string_view request, const std::string& action,
                                              UpstreamReply& reply, Clock::time_point deadline) {
  std::unique_ptr<Connection> c = acquire();
  if (!c) return {{Code::UPSTREAM_UNAVAILABLE, "cannot create a connection to " + config_.url}, Failure::kConnect};
  c->begin_call(deadline);
  Attempt a = exchange(*c, request, action, reply);
  release(std::move(c), a.failure == Failure::kNone);
  return a;
}

HttpsUpstream::Attempt HttpsUpstream::exchange(Connection& c, std::string_view request, const std::string& action,
                                               UpstreamReply& reply) {
  struct soap* s = c.soap;
  const auto broken = [&](const std::string& what) -> Attempt {
    if (Clock::now() >= c.deadline)
      return {{Code::UPSTREAM_UNAVAILABLE, "no complete answer from " + config_.url + " within " +
                                               std::to_string(config_.timeout_ms) + " ms"},
              Failure::kTransport};
    const std::string why = s->errnum != 0 ? std::string(": ") + std::strerror(s->errnum) : "";
    return {{Code::UPSTREAM_UNAVAILABLE, what + " " + config_.url + why}, Failure::kTransport};
  };
  s->http_content = kContentType;
  if (soap_POST(s, config_.url.c_str(), action.c_str(), kContentType) != SOAP_OK ||
      soap_send_raw(s, request.data(), request.size()) != SOAP_OK || soap_end_send(s) != SOAP_OK || !flush(s, c)) {
    if (c.connect_failed)
      return {{Code::UPSTREAM_UNAVAILABLE, "cannot connect to " + config_.url + ": " + soap_reason(s)}, Failure::kConnect};
    return broken("cannot send the request to");
  }
  // The answer cannot be there yet: wait for it, rather than have the first read find nothing (a
  // system call an inquiry). A deadline passed here is reported by the read that follows.
  if (s->ssl != nullptr) (void)tls::wait_readable(s->ssl, s->socket, c.deadline);
  // soap_begin_recv reads the HTTP header; 200, 400 and 500 leave the body to read, any other status
  // is an error whose body gSOAP has already read.
  s->status = 0;
  const int rc = soap_begin_recv(s);
  if (!c.refused.empty())
    return {{Code::UPSTREAM_ERROR, "the answer from " + config_.url + " " + c.refused}, Failure::kRefused};
  if (c.cut_off) return broken("answer cut off by");  // gSOAP forgives an end of input inside the header
  if (rc != SOAP_OK) {
    if (s->status < 200 || s->status >= 600) return broken("no answer from");
    reply.http_status = s->status;
    return judge(reply);
  }
  reply.http_status = s->status == 0 ? 200 : s->status;
  const ULONG64 announced = s->length;  // 0 when chunked
  std::size_t len = 0;
  const char* body = soap_http_get_body(s, &len);
  if (s->count > s->recv_maxlength)  // a chunked answer that went on past the limit
    return {{Code::UPSTREAM_ERROR, "the answer from " + config_.url + " is over the limit of " +
                                       std::to_string(max_reply_bytes_) + " bytes"},
            Failure::kRefused};
  // No soap_end_recv: the body was read to its end (a chunked one to its last chunk), so all it would
  // add is resolving SOAP-encoding references gSOAP never parsed (three walks of a 1,999-bucket table,
  // 30,000 instructions an inquiry). Test: UpstreamTest.ChunkedAnswersOverOneKeptAliveConnection.
  if (body == nullptr || c.cut_off || (announced != 0 && len != announced))
    return broken("incomplete answer from");
  reply.body.assign(body, len);
  return judge(reply);
}

/// 5xx without a SOAP envelope is the registry's own failure (an HTML error page, a proxy's 502/503);
/// 500 with an envelope is a SOAP Fault, which the pipeline reads. A 2xx carrying a SOAP Fault is an
/// error answer too: the mappings recognise NietsGevonden, not Faults, so it must not pass as "found".
HttpsUpstream::Attempt HttpsUpstream::judge(const UpstreamReply& reply) const {
  const int st = reply.http_status;
  if (st >= 500 && st <= 599) {
    if (st == 500 && read_envelope(reply.body).envelope) return {};
    const bool unavailable = st == 502 || st == 503 || st == 504;
    return {{unavailable ? Code::UPSTREAM_UNAVAILABLE : Code::UPSTREAM_ERROR,
             config_.url + " answered HTTP " + std::to_string(st) + " without a SOAP envelope"},
            Failure::kServer};
  }
  if (st >= 200 && st <= 299 && reply.body.find("Fault") != std::string::npos) {  // cheap test first
    const Envelope e = read_envelope(reply.body);
    if (e.fault)
      return {{Code::UPSTREAM_ERROR, config_.url + " answered HTTP " + std::to_string(st) + " with a SOAP Fault: " +
                                         (e.fault_text.empty() ? std::string("(no text)") : e.fault_text)},
              Failure::kNone};  // an answer: the registry is up
  }
  return {};
}

std::unique_ptr<HttpsUpstream::Connection> HttpsUpstream::acquire() {
  while (true) {
    std::unique_ptr<Connection> c;
    {
      std::lock_guard lock(pool_mu_);
      if (idle_.empty()) break;
      c = std::move(idle_.back());
      idle_.pop_back();
    }
    if (idle_connection_open(c->soap)) return c;
    stale_dropped_.fetch_add(1, std::memory_order_relaxed);
    c->polite_close = false;  // the registry is gone from the other end
  }
  return new_connection();
}

std::unique_ptr<HttpsUpstream::Connection> HttpsUpstream::new_connection() {
  struct soap* s = soap_new1(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
  if (s == nullptr) return nullptr;
  auto c = std::make_unique<Connection>();
  c->soap = s;
  tls::attach(s, ctx_.get(), /*server=*/false);
  c->metrics = metrics_;
  c->connect_timeout = milliseconds(config_.connect_timeout_ms);
  c->max_reply_bytes = static_cast<ULONG64>(max_reply_bytes_);
  s->user = c.get();
  c->open = s->fopen;
  c->send = s->fsend;
  c->recv = s->frecv;
  c->parse_header = s->fparsehdr;
  c->post_header = s->fposthdr;
  s->fopen = open_hook;
  s->fsend = send_hook;
  s->frecv = recv_hook;
  s->fparsehdr = parse_header_hook;
  s->fposthdr = post_header_hook;
  s->fpoll = poll_hook;
  s->recv_maxlength = static_cast<ULONG64>(max_reply_bytes_);  // bounds a chunked body
  s->max_keep_alive = 0;  // unlimited on our side; the registry decides
  return c;
}

void HttpsUpstream::release(std::unique_ptr<Connection> c, bool reusable) {
  gsoap::end_message(c->soap);
  if (!reusable || !soap_valid_socket(c->soap->socket) || c->soap->keep_alive == 0) return;
  c->polite_close = true;
  std::lock_guard lock(pool_mu_);
  if (idle_.size() < static_cast<std::size_t>(config_.connections)) idle_.push_back(std::move(c));
}  // a connection not kept closes here, after the lock is released

bool HttpsUpstream::take_slot(Clock::time_point until) {
  std::unique_lock lock(slot_mu_);
  if (!slot_free_.wait_until(lock, until, [&] { return in_flight_ < config_.max_concurrent; })) return false;
  ++in_flight_;
  return true;
}

void HttpsUpstream::give_slot() {
  {
    std::lock_guard lock(slot_mu_);
    --in_flight_;
  }
  slot_free_.notify_one();
}

Status HttpsUpstream::circuit_open_status(Clock::time_point now) const {
  const BreakerCounters b = breaker_.counters();
  const auto wait = breaker_.retry_after(now);
  const std::string when = b.state == BreakerState::kOpen
                               ? "the next try in " + std::to_string(wait.count()) + " ms"
                               : "a probe is under way";
  return {Code::UPSTREAM_CIRCUIT_OPEN, config_.url + " failed " + std::to_string(b.consecutive_failures) +
                                           " times in a row and is not called for now (circuit open; " + when + ")"};
}

UpstreamHealth HttpsUpstream::health() const {
  UpstreamHealth h;
  h.breaker = breaker_.counters();
  {
    std::lock_guard lock(slot_mu_);
    h.in_flight = in_flight_;
  }
  h.overloaded = overloaded_.load(std::memory_order_relaxed);
  h.connect_retries = connect_retries_.load(std::memory_order_relaxed);
  h.stale_dropped = stale_dropped_.load(std::memory_order_relaxed);
  return h;
}

}  // namespace doelpoort
