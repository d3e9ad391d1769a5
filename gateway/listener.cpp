#include "listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "hex.h"
#include "log.h"
#include "metrics.h"
#include "soap_message.h"
#include "soap_service.h"

namespace doelpoort {

struct Listener::Connection {
  int fd = -1;
  SSL* ssl = nullptr;
  bool established = false;  // TLS handshake done
  bool want_write = false;   // the handshake waits for the socket to be writable
  std::string peer_ip;       // for the per-address cap only; logs get `address`
  std::string address;       // anonymised
  PeerIdentity identity;
  int served = 0;
  Clock::time_point deadline;
  std::uint32_t generation = 0;  // told apart from a later connection that gets the same fd

  // What its epoll events carry: a worker woken by an event for a connection that admission has closed
  // since (expired) finds no parked connection with this tag, and leaves whatever now holds the fd alone.
  std::uint64_t tag() const { return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd); }

  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (ssl != nullptr) {
      if (established) SSL_shutdown(ssl);  // best effort close_notify; the socket is non-blocking
      SSL_free(ssl);
    }
    if (fd >= 0) ::close(fd);
  }
};

namespace {

constexpr std::uint64_t kDrainTag = ~std::uint64_t{0};  // no connection's: its fd would be -1

std::string name_entry(X509_NAME* name, int nid) {
  int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::string ip_of(const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, buf, sizeof buf);
  else if (addr.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, buf, sizeof buf);
  return buf;
}

// Why a handshake failed, for tls_handshake_failures_total{reason}: the verification result when the
// client's certificate was refused, else the first OpenSSL error `err` (read before tls_failure takes it).
HandshakeFailure classify(SSL* ssl, unsigned long err) {
  switch (SSL_get_verify_result(ssl)) {
    case X509_V_OK: break;
    case X509_V_ERR_CERT_HAS_EXPIRED: return HandshakeFailure::CertificateExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID: return HandshakeFailure::CertificateNotYetValid;
    case X509_V_ERR_CERT_REVOKED: return HandshakeFailure::CertificateRevoked;
    case X509_V_ERR_CRL_HAS_EXPIRED: return HandshakeFailure::CrlExpired;
    case X509_V_ERR_UNABLE_TO_GET_CRL: return HandshakeFailure::CrlUnavailable;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return HandshakeFailure::UnknownCa;
    default: return HandshakeFailure::CertificateInvalid;
  }
  if (err == 0) return HandshakeFailure::Closed;
  if (ERR_GET_LIB(err) != ERR_LIB_SSL) return HandshakeFailure::Other;
  switch (ERR_GET_REASON(err)) {
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE: return HandshakeFailure::NoCertificate;
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_UNKNOWN_PROTOCOL: return HandshakeFailure::Protocol;
    default: return HandshakeFailure::Other;
  }
}

std::string tls_failure(SSL* ssl) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) return X509_verify_cert_error_string(verify);
  std::string e = tls::last_error();
  return e.empty() ? "handshake failed (peer closed or sent no TLS)" : e;
}

}  // namespace

// Closes our side, then reads what the client still sends for a short while before closing the socket:
// closing with unread bytes makes the kernel send a reset, which can destroy the answer the client has
// yet to read (nginx's lingering_close). Bounded: it stops at 1 MiB, 200 ms, or 20 ms without data.
int lingering_close(int fd) {
  ::shutdown(fd, SHUT_WR);
  char sink[16384];
  std::size_t drained = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  while (drained < (1U << 20) && std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) break;
    const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n <= 0) break;  // the client closed too
    drained += static_cast<std::size_t>(n);
  }
  return ::close(fd);
}

PeerIdentity peer_identity(SSL* ssl) {
  PeerIdentity id;
  X509* cert = ssl != nullptr ? SSL_get1_peer_certificate(ssl) : nullptr;
  if (cert == nullptr) return id;
  X509_NAME* subject = X509_get_subject_name(cert);
  id.cn = name_entry(subject, NID_commonName);
  id.oin = name_entry(subject, NID_serialNumber);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) == 1) id.fingerprint = to_hex(md, len);
  X509_free(cert);
  return id;
}

Listener::Listener(Pipeline& pipeline, const GatewayConfig& config, SSL_CTX* tls, const ListenerMetrics* metrics)
    : pipeline_(pipeline), config_(config), metrics_(metrics), tls_(tls),
      master_(new_request_context(config.max_request_bytes)) {
  SSL_CTX_up_ref(tls);  // released with retired_tls_
  tls::attach(master_, tls, /*server=*/true);
  master_->bind_flags = SO_REUSEADDR;
  master_->max_keep_alive = config.max_keep_alive;
}

Listener::~Listener() {
  parked_.clear();
  retired_tls_.emplace_back(tls_.load());
  for (int fd : {epoll_fd_, wake_fd_, idle_epoll_fd_, drain_fd_})
    if (fd >= 0) ::close(fd);
  soap_destroy(master_);
  soap_end(master_);
  soap_free(master_);  // closes the listening socket
}

bool Listener::bind(std::string& error) {
  if (!soap_valid_socket(soap_bind(master_, config_.listen_host.c_str(), config_.listen_port, 1024))) {
    error = "cannot listen on " + config_.listen_host + ":" + std::to_string(config_.listen_port) + ": " +
            (*soap_faultdetail(master_) ? *soap_faultdetail(master_) : "bind failed");
    return false;
  }
  listen_fd_ = master_->master;
  ::fcntl(listen_fd_, F_SETFL, ::fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  idle_epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  drain_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0 || idle_epoll_fd_ < 0 || drain_fd_ < 0) {
    error = std::string("cannot create the admission stage: ") + std::strerror(errno);
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  ev.data.u64 = kDrainTag;  // level-triggered: once written, every worker's epoll_wait returns it
  ::epoll_ctl(idle_epoll_fd_, EPOLL_CTL_ADD, drain_fd_, &ev);
  return true;
}

void Listener::use_tls(SSL_CTX* tls) {
  SSL_CTX_up_ref(tls);
  std::lock_guard lock(tls_mu_);
  SSL_CTX* old = tls_.exchange(tls);
  retired_tls_.emplace_back(old);  // freed with the listener; connections made from it hold their own refs
}

void Listener::stop() {
  stopping_ = true;
  const std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) { /* the admission loop wakes within 100 ms anyway */ }
}

// ---- admission (one thread) ----

void Listener::run() {
  // Named for top -H, perf and /proc/PID/task/*/comm; admission is the calling (main) thread.
  for (int i = 0; i < config_.workers; ++i)
    workers_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "dp-worker");
      work();
    });
  epoll_event events[256];
  bool draining = false;
  while (true) {
    const int n = ::epoll_wait(epoll_fd_, events, 256, 100);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        if (!draining) admit();
      } else if (fd == wake_fd_) {
        std::uint64_t count = 0;
        if (::read(wake_fd_, &count, sizeof count) < 0) { /* nothing to read: a spurious wake-up */ }
      }
    }
    // Connections the workers are done with (workers park the ones kept open themselves).
    std::vector<std::unique_ptr<Connection>> done;
    bool idle = false;
    {
      std::lock_guard lock(mu_);
      done.swap(closing_);
      idle = busy_ == 0;
    }
    for (auto& c : done) close(std::move(c));
    const auto now = Clock::now();
    if (now - last_sweep_ >= std::chrono::milliseconds(100)) expire(now);
    if (stopping_ && !draining) {
      // Stop accepting; close the idle connections; requests in progress finish and are answered.
      draining = true;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      std::vector<std::unique_ptr<Connection>> idle_ones;
      {
        std::lock_guard lock(mu_);
        draining_ = true;  // from now on workers hand connections back instead of parking them
        for (auto& [fd, c] : parked_) idle_ones.push_back(std::move(c));
        parked_.clear();
      }
      const std::uint64_t one = 1;
      if (::write(drain_fd_, &one, sizeof one) < 0) std::abort();  // an eventfd write of 1 cannot fail
      for (auto& c : idle_ones) close(std::move(c));
    }
    if (draining && idle && done.empty()) break;
  }
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void Listener::admit() {
  while (true) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) log::error("accept_failed", {{"reason", std::strerror(errno)}});
      return;  // EAGAIN: accepted all there were
    }
    const std::string ip = ip_of(addr);
    if (stats_.open >= config_.max_connections) {
      ::close(fd);
      ++stats_.refused_total_cap;
      if (metrics_ != nullptr) metrics_->refused_total_cap->Increment();
      continue;
    }
    int& from_peer = per_peer_[ip];
    if (from_peer >= config_.max_connections_per_peer) {
      ::close(fd);
      ++stats_.refused_peer_cap;
      if (metrics_ != nullptr) metrics_->refused_peer_cap->Increment();
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->generation = ++next_generation_;
    c->peer_ip = ip;
    c->address = log::anonymise_ip(ip);
    c->deadline = Clock::now() + std::chrono::milliseconds(config_.handshake_timeout_ms);
    ++from_peer;
    ++stats_.open;
    ++stats_.accepted;
    if (metrics_ != nullptr) metrics_->accepted->Increment();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.u64 = c->tag();
    {
      std::lock_guard lock(mu_);
      parked_.emplace(fd, std::move(c));
    }
    ::epoll_ctl(idle_epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

// Called with mu_ held: the connection is in parked_ before epoll can report it again.
void Listener::park(std::unique_ptr<Connection> c) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT | (c->want_write ? EPOLLOUT : 0U);
  ev.data.u64 = c->tag();
  const int fd = c->fd;
  parked_.emplace(fd, std::move(c));
  ::epoll_ctl(idle_epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void Listener::close(std::unique_ptr<Connection> c) {
  if (auto it = per_peer_.find(c->peer_ip); it != per_peer_.end() && --it->second <= 0) per_peer_.erase(it);
  --stats_.open;
  c.reset();  // the destructor sends close_notify and closes the socket
}

void Listener::expire(Clock::time_point now) {
  last_sweep_ = now;
  std::vector<std::unique_ptr<Connection>> expired;
  {
    std::lock_guard lock(mu_);
    for (auto it = parked_.begin(); it != parked_.end();) {
      if (it->second->deadline <= now) {
        expired.push_back(std::move(it->second));
        it = parked_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : expired) {
    ++(c->established ? stats_.idle_closed : stats_.handshake_timeouts);
    if (!c->established && metrics_ != nullptr) metrics_->handshake_failed(HandshakeFailure::Timeout);
    close(std::move(c));
  }
}

// ---- workers ----

void Listener::work() {
  InquiryService service(pipeline_, *master_, config_.public_url);
  service.set_io_timeout(std::chrono::milliseconds(config_.request_timeout_ms));
  while (true) {
    epoll_event ev{};
    const int n = ::epoll_wait(idle_epoll_fd_, &ev, 1, -1);
    if (n < 0 && errno != EINTR) {
      log::error("worker_stopped", {{"reason", std::string("epoll_wait: ") + std::strerror(errno)}});
      return;
    }
    if (n <= 0) continue;
    std::unique_ptr<Connection> c;
    {
      std::lock_guard lock(mu_);
      if (draining_) return;
      auto it = parked_.find(static_cast<int>(ev.data.u64 & 0xffffffffU));
      if (it == parked_.end() || it->second->tag() != ev.data.u64) continue;  // closed by admission since
      c = std::move(it->second);
      parked_.erase(it);
      if ((ev.events & (EPOLLIN | EPOLLOUT)) == 0) {  // error or hang-up only
        closing_.push_back(std::move(c));
        const std::uint64_t one = 1;
        if (::write(wake_fd_, &one, sizeof one) < 0) { /* admission also wakes every 100 ms */ }
        continue;
      }
      ++busy_;
    }
    const bool was_established = c->established;
    bool keep = was_established ? serve(service, *c) : handshake(*c);
    // A handshake that read the first request along with the client's Finished (TLS 1.3 clients send
    // them together; read-ahead takes both) serves it now: epoll will not report those bytes again.
    if (keep && !was_established && c->established && SSL_has_pending(c->ssl) == 1) keep = serve(service, *c);
    std::lock_guard lock(mu_);
    --busy_;
    if (keep && !draining_) {  // the common case: back into the epoll set without waking admission
      park(std::move(c));
      continue;
    }
    closing_.push_back(std::move(c));  // to close (draining, or done): admission uncounts it
    const std::uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof one) < 0) { /* admission also wakes every 100 ms */ }
  }
}

// One step of the TLS handshake on a non-blocking socket; false when the connection must be closed.
bool Listener::handshake(Connection& c) {
  if (c.ssl == nullptr) {
    {
      std::lock_guard lock(tls_mu_);  // use_tls may be swapping the context right now
      c.ssl = SSL_new(tls_.load());   // takes a reference of its own
    }
    if (c.ssl == nullptr || SSL_set_fd(c.ssl, c.fd) != 1) return false;
    SSL_set_accept_state(c.ssl);
    // Read ahead: one read takes what the socket holds, not a record's 5-byte header and then its body.
    // Every read of the connection is ours (here, and tls::read when served), so bytes waiting in
    // OpenSSL are always seen: a connection is parked only when SSL_has_pending says there are none.
    SSL_set_read_ahead(c.ssl, 1);
  }
  ERR_clear_error();
  const int r = SSL_accept(c.ssl);
  if (r == 1) {
    c.established = true;
    c.want_write = false;
    c.identity = peer_identity(c.ssl);  // verified: SSL_VERIFY_FAIL_IF_NO_PEER_CERT
    c.identity.address = c.address;
    c.deadline = Clock::now() + std::chrono::milliseconds(config_.idle_timeout_ms);
    return true;
  }
  const int err = SSL_get_error(c.ssl, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    c.want_write = err == SSL_ERROR_WANT_WRITE;
    return true;  // the handshake deadline set at accept still runs
  }
  ++stats_.handshake_failed;
  const HandshakeFailure why = classify(c.ssl, ERR_peek_error());
  if (metrics_ != nullptr) metrics_->handshake_failed(why);
  log::info("tls_handshake_failed", {{"client", c.address}, {"reason", tls_failure(c.ssl)},
                                     {"kind", kHandshakeFailureNames[static_cast<std::size_t>(why)]}});
  return false;
}

// Serves the request(s) that arrived on `c`; false when the connection must be (or was) closed.
bool Listener::serve(InquiryService& service, Connection& c) {
  struct soap* s = service.soap;
  service.set_peer(c.identity);
  bool keep = true;
  do {
    s->socket = c.fd;
    s->ssl = c.ssl;
    // gSOAP's count of requests left on this connection; the last one is answered with Connection: close.
    s->keep_alive = config_.max_keep_alive - c.served - 1;
    // Reads and writes are tls::read and tls::write, bounded by the service's io timeout; gSOAP still
    // looks at these: with them unset, soap_send_fault would answer a client that has gone.
    s->recv_timeout = s->send_timeout = -config_.request_timeout_ms * 1000;
    keep = service.serve_one();
    ++c.served;
    if (keep || s->error != SOAP_EOF) ++stats_.requests;  // not the end of input of a closing client
    const bool read_ahead = s->bufidx < s->buflen;
    gsoap::end_message(s);
    if (!soap_valid_socket(s->socket) || s->ssl == nullptr) {  // gSOAP closed the connection itself
      c.fd = -1;
      c.ssl = nullptr;
      keep = false;
    }
    s->socket = SOAP_INVALID_SOCKET;
    s->ssl = nullptr;
    s->keep_alive = 0;
    if (s->error == SOAP_EOF || c.served >= config_.max_keep_alive) keep = false;
    // Bytes read ahead, by gSOAP (they live in this context only) or by OpenSSL (epoll will not report
    // them): serve them here rather than park the connection.
    if (!keep || !(read_ahead || SSL_has_pending(c.ssl) == 1)) break;
  } while (true);
  if (!keep && c.fd >= 0) {
    if (c.ssl != nullptr) SSL_shutdown(c.ssl);
    SSL_free(c.ssl);
    c.ssl = nullptr;
    lingering_close(c.fd);
    c.fd = -1;
  }
  c.deadline = Clock::now() + std::chrono::milliseconds(config_.idle_timeout_ms);
  return keep;
}


}  // namespace doelpoort
