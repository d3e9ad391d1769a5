#include "sim_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <thread>

#include "soap_request.h"
#include "stdsoap2.h"
#include "workers.h"

namespace doelpoort::sim {
namespace {

// Set by SIGTERM/SIGINT, read by every thread. A lock-free atomic is safe in a signal handler.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int) { g_stop.store(true); }

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: let the acceptor's select() return early
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

/// What a connection's gSOAP hooks need; hangs off soap->user for the connection's lifetime.
struct ConnectionContext {
  const RequestHandler* handler;
  FaultSpec fault;
  std::shared_ptr<Workers> workers;
};

/// Frees a context and everything gSOAP allocated in it (errors allocate a fault struct, too).
void free_context(struct soap* s) {
  soap_destroy(s);
  soap_end(s);
  soap_free(s);
}

ConnectionContext& context_of(struct soap* c) { return *static_cast<ConnectionContext*>(c->user); }

int send_reply(struct soap* c, const HttpReply& reply) {
  if (reply.close) c->keep_alive = 0;
  // gSOAP sends through the buffer it reads into (soap_init_send empties it), which would drop the
  // next request of a client that pipelines: keep bytes already received and put them back after.
  std::string unread;
  if (c->keep_alive != 0 && c->buflen > c->bufidx) unread.assign(c->buf + c->bufidx, c->buf + c->buflen);
  c->mode &= ~SOAP_ENC_DIME;  // soap_init_send would carry a DIME request's mode into the reply
  c->http_content = reply.content_type.c_str();
  if (reply.status == 405) c->http_extra_header = "Allow: GET, POST";
  if (soap_response(c, SOAP_FILE + reply.status) != SOAP_OK ||
      soap_send_raw(c, reply.body.data(), reply.body.size()) != SOAP_OK || soap_end_send(c) != SOAP_OK)
    return c->error;
  if (!unread.empty()) {
    std::memcpy(c->buf, unread.data(), unread.size());
    c->bufidx = 0;
    c->buflen = unread.size();
  }
  return SOAP_OK;
}

/// `hang`: never answers; returns (ending the connection) once the client closes its end, or the
/// simulator stops (stop_all shuts the socket down, which wakes the poll as well).
int hang(struct soap* c) {
  while (!g_stop.load()) {
    pollfd p{c->socket, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 200) != 0) break;
  }
  return SOAP_EOF;
}

/// `slow`: the whole answer, one byte (one TLS record) every kDripInterval, then the connection ends.
int drip(struct soap* c, const HttpReply& reply) {
  std::size_t header_size = 0;
  const std::string bytes = raw_http_response(reply, header_size);
  for (const char& byte : bytes) {
    if (g_stop.load() || c->fsend(c, &byte, 1) != SOAP_OK) break;  // fails once the client has gone
    std::this_thread::sleep_for(kDripInterval);
  }
  return SOAP_EOF;
}

/// `reset`: the header and half the body, then a TCP reset: SO_LINGER 0, no TLS close_notify and no
/// shutdown() (which would send a FIN first) when run_connection frees the context.
int reset_midway(struct soap* c, const HttpReply& reply) {
  std::size_t header_size = 0;
  const std::string bytes = raw_http_response(reply, header_size);
  (void)c->fsend(c, bytes.data(), header_size + reply.body.size() / 2);
  const linger abort_on_close{1, 0};
  (void)setsockopt(c->socket, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  if (c->ssl != nullptr) SSL_set_quiet_shutdown(c->ssl, 1);
  c->fshutdownsocket = [](struct soap*, SOAP_SOCKET, int) { return SOAP_OK; };
  return SOAP_EOF;
}

/// `oversizechunked`: the answer chunked, so no length warns the client; the connection ends after it
/// (or as soon as the client stops reading).
int send_chunked(struct soap* c, const HttpReply& reply) {
  std::size_t header_size = 0;
  std::string header = raw_http_response(HttpReply{reply.status, reply.content_type, "", reply.close}, header_size);
  header.replace(header.find("Content-Length: 0"), 17, "Transfer-Encoding: chunked");
  if (c->fsend(c, header.data(), header.size()) != SOAP_OK) return SOAP_EOF;
  constexpr std::size_t kChunk = 64 * 1024;
  for (std::size_t at = 0; at < reply.body.size() && !g_stop.load(); at += kChunk) {
    const std::size_t n = std::min(kChunk, reply.body.size() - at);
    char size_line[32];
    const int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
    if (c->fsend(c, size_line, static_cast<std::size_t>(len)) != SOAP_OK ||
        c->fsend(c, reply.body.data() + at, n) != SOAP_OK || c->fsend(c, "\r\n", 2) != SOAP_OK)
      return SOAP_EOF;  // the client stopped reading
  }
  (void)c->fsend(c, "0\r\n\r\n", 5);
  return SOAP_EOF;
}

/// The one place a reply leaves: a fault mode may delay, damage or drop it (fault_mode.h). Only POSTs
/// to the faulty service are touched; GETs (WSDL, stats) always get their answer.
int deliver(struct soap* c, const HttpReply& reply) {
  const FaultSpec& fault = context_of(c).fault;
  if (c->status != SOAP_POST || !fault.applies_to_post(c->path)) return send_reply(c, reply);
  switch (fault.mode) {
    case FaultMode::kNone: return send_reply(c, reply);
    case FaultMode::kHang: return hang(c);
    case FaultMode::kSlow: return drip(c, reply);
    case FaultMode::kReset: return reset_midway(c, reply);
    case FaultMode::kClose: return SOAP_EOF;  // serve_one ends the connection without a word
    case FaultMode::kGarbage:
    case FaultMode::kHttp500:
    case FaultMode::kFault200: return send_reply(c, damaged_reply(fault.mode, reply, c->path));
    case FaultMode::kLaughs:
    case FaultMode::kXxe:
    case FaultMode::kDoctype:
    case FaultMode::kDeep:
    case FaultMode::kBigAttribute:
    case FaultMode::kSiblings:
    case FaultMode::kBadUtf8:
    case FaultMode::kOversize: return send_reply(c, damaged_reply(fault.mode, reply, c->path, fault.xxe_uri));
    case FaultMode::kOversizeChunked: return send_chunked(c, damaged_reply(fault.mode, reply, c->path));
  }
  return send_reply(c, reply);
}

int on_get(struct soap* c) {
  const HttpRequest request{"GET", c->path, std::nullopt, {}, c->endpoint};
  return deliver(c, context_of(c).handler->handle(request));
}

int on_other_method(struct soap* c) {
  HttpReply reply = context_of(c).handler->refuse(FoutCode::kMethodNotAllowed, "");
  if (c->status == SOAP_HEAD) reply.body.clear();  // a HEAD reply has no body
  return deliver(c, reply);
}

int close_socket(struct soap* c, SOAP_SOCKET fd) {
  context_of(c).workers->forget(fd);
  return ::close(fd) == 0 ? SOAP_OK : SOAP_EOF;
}

/// Answers a request that cannot be served and ends the connection (its rest may still be unread).
bool refuse_and_close(struct soap* c, FoutCode code, std::string_view detail) {
  const RequestHandler& handler = *context_of(c).handler;
  (void)deliver(c, c->status == SOAP_POST ? handler.refuse_post(c->path, code, detail) : handler.refuse(code, detail));
  return false;
}

/// After soap_begin_recv failed: closed or timed out connections end quietly, anything else that
/// could not be read gets one refusal and the connection is closed.
bool answer_unreadable(struct soap* c, int rc) {
  if (rc == SOAP_EOF || rc == SOAP_TCP_ERROR || rc == SOAP_SSL_ERROR) return false;
  const bool method = rc == 405 || (rc >= SOAP_GET_METHOD && rc <= SOAP_HTTP_METHOD);
  if (method) return refuse_and_close(c, FoutCode::kMethodNotAllowed, "");
  if (rc == SOAP_NO_DATA) return refuse_and_close(c, FoutCode::kMalformedMessage, "het bericht is leeg");
  return refuse_and_close(c, FoutCode::kBadHttpRequest, "gSOAP-fout " + std::to_string(rc));
}

/// Reads one request and answers it. False when the connection must end.
bool serve_one(struct soap* c) {
  soap_begin(c);
  const int rc = soap_begin_recv(c);
  if (rc == SOAP_STOP) return true;  // answered by a hook (GET, other methods)
  if (rc != SOAP_OK) return answer_unreadable(c, rc);
  if (c->status != SOAP_POST) return refuse_and_close(c, FoutCode::kBadHttpRequest, "geen HTTP-verzoekregel");
  if ((c->mode & (SOAP_ENC_MIME | SOAP_ENC_DIME)) != 0 || c->zlib_in != SOAP_ZLIB_NONE)
    return refuse_and_close(c, FoutCode::kUnsupportedMedia, "");
  if (c->length > kMaxRequestBytes)
    return refuse_and_close(c, FoutCode::kRequestTooLarge, std::to_string(c->length) + " bytes");

  const ULONG64 expected = c->length;  // 0 when chunked
  std::size_t length = 0;
  const char* body = soap_http_get_body(c, &length);
  if (body == nullptr || length > kMaxRequestBytes || c->count > c->recv_maxlength)
    return refuse_and_close(c, FoutCode::kRequestTooLarge, "");
  if (c->error != SOAP_OK) return refuse_and_close(c, FoutCode::kBadHttpRequest, "ongeldige chunked body");
  if ((expected != 0 && length != expected) || soap_end_recv(c) != SOAP_OK) return false;  // cut off mid-body

  std::optional<std::string_view> soap_action;
  if (c->action != nullptr) soap_action = c->action;
  const HttpRequest request{"POST", c->path, soap_action, std::string_view(body, length), c->endpoint};
  return deliver(c, context_of(c).handler->handle(request)) == SOAP_OK;
}

void serve_requests(struct soap* c) {
  c->keep_alive = c->max_keep_alive + 1;
  bool more = true;
  while (more) {
    if (c->keep_alive > 0 && c->max_keep_alive > 0) --c->keep_alive;
    more = serve_one(c) && c->keep_alive != 0 && !g_stop.load();
    soap_destroy(c);
    soap_end(c);
  }
}

/// One line per failed handshake (no client certificate, unknown CA, revoked, not TLS, timed out).
void log_refused_handshake(struct soap* c) {
  const char* reason = soap_fault_string(c);
  std::string line = reason != nullptr ? reason : "unknown reason";
  for (char& ch : line)
    if (ch == '\n' || ch == '\r') ch = ' ';
  std::fprintf(stderr, "doelpoort-sim: TLS handshake with %s:%d failed: %s\n", c->host, c->port, line.c_str());
}

void run_connection(struct soap* c, ConnectionContext context, ServerOptions options) {
  c->user = &context;
  c->fclosesocket = close_socket;
  c->recv_timeout = c->send_timeout = options.handshake_timeout_seconds;
  if (soap_ssl_accept(c) == SOAP_OK) {
    c->recv_timeout = c->send_timeout = options.io_timeout_seconds;
    c->transfer_timeout = options.request_timeout_seconds;  // counted from soap_begin_recv
    serve_requests(c);
  } else if (!g_stop.load()) {
    log_refused_handshake(c);
  }
  free_context(c);  // closes the socket through close_socket, while `context` is still alive
  context.workers->finished();
}

int bound_port(SOAP_SOCKET fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return -1;
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  return -1;
}

/// Writes `port` to `path` atomically: readers see no file or the whole number, never a part.
bool write_port_file(const std::string& path, int port, std::string& error) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << port << "\n";
    file.close();
    if (!file) {
      error = "cannot write " + temporary;
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + temporary + " to " + path;
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

std::string soap_error_line(struct soap* s) {
  char text[1024];
  soap_sprint_fault(s, text, sizeof text);
  std::string line(text);
  for (char& ch : line)
    if (ch == '\n') ch = ' ';
  return line;
}

/// Sets up the listening context; null (and `error`) when it cannot.
struct soap* listen_on(const ServerOptions& options, SSL_CTX* ctx, std::string& error) {
  struct soap* master = soap_new1(SOAP_IO_KEEPALIVE);
  if (master == nullptr) {
    error = "out of memory";
    return nullptr;
  }
  master->bind_flags = SO_REUSEADDR;
  master->accept_timeout = -200000;  // µs: wake up five times a second to notice a stop signal
  master->recv_maxlength = kMaxRequestBytes + 64 * 1024;  // headers + body of one request
  master->max_keep_alive = options.max_requests_per_connection;
  master->fget = on_get;
  master->fput = master->fpatch = master->fdel = master->fopt = master->fhead = on_other_method;
  tls::attach(master, ctx, /*server=*/true);
  if (!soap_valid_socket(soap_bind(master, options.host.c_str(), options.port, 128))) {
    error = "cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + soap_error_line(master);
    free_context(master);
    return nullptr;
  }
  return master;
}

void accept_until_stopped(struct soap* master, const ConnectionContext& context, const ServerOptions& options) {
  while (!g_stop.load()) {
    if (!context.workers->wait_for_room(static_cast<std::size_t>(options.max_connections))) continue;
    const SOAP_SOCKET fd = soap_accept(master);
    if (!soap_valid_socket(fd)) {
      if (master->errnum != 0 && !g_stop.load()) {  // errnum 0: the accept timeout, nothing wrong
        std::fprintf(stderr, "doelpoort-sim: accept failed: %s\n", soap_error_line(master).c_str());
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    struct soap* c = soap_copy(master);
    master->socket = SOAP_INVALID_SOCKET;  // the copy owns it now
    if (c == nullptr) {
      ::close(fd);
      continue;
    }
    context.workers->start(fd, [c, context, options] { run_connection(c, context, options); });
  }
}

}  // namespace

int run_server(const ServerOptions& options, const RequestHandler& handler, std::ostream& out, std::ostream& err) {
  install_signal_handlers();
  std::string error;
  tls::CtxPtr ctx = tls::make_server_context(options.tls, error);
  if (!ctx) {
    err << "doelpoort-sim: " << error << std::endl;
    return 1;
  }
  struct soap* master = listen_on(options, ctx.get(), error);
  if (master == nullptr) {
    err << "doelpoort-sim: " << error << std::endl;
    return 1;
  }
  const int port = bound_port(master->master);
  if (!options.port_file.empty() && !write_port_file(options.port_file, port, error)) {
    err << "doelpoort-sim: " << error << std::endl;
    free_context(master);
    return 1;
  }
  out << "doelpoort-sim: listening on " << options.host << ":" << port << std::endl;

  const ConnectionContext context{&handler, options.fault, std::make_shared<Workers>()};
  accept_until_stopped(master, context, options);

  free_context(master);  // closes the listening socket first
  if (!context.workers->stop_all(std::chrono::seconds(5))) {
    // A worker still holds `handler`; leave without running destructors under it.
    err << "doelpoort-sim: connections still open after 5 s, exiting anyway" << std::endl;
    std::_Exit(0);
  }
  out << "doelpoort-sim: stopped" << std::endl;
  return 0;
}

}  // namespace doelpoort::sim
