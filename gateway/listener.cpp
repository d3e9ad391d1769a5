#include "listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "soap_service.h"

namespace doelpoort {
namespace {

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

}  // namespace

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

Listener::Listener(Pipeline& pipeline, const GatewayConfig& config, SSL_CTX* tls)
    : pipeline_(pipeline), config_(config), master_(soap_new1(SOAP_IO_KEEPALIVE | SOAP_XML_STRICT | SOAP_C_UTFSTRING)) {
  tls::attach(master_, tls, /*server=*/true);
  master_->bind_flags = SO_REUSEADDR;
  master_->accept_timeout = -200000;  // µs: how often run() looks at stopping_
  master_->recv_maxlength = static_cast<ULONG64>(config.max_request_bytes);
  master_->max_keep_alive = config.max_keep_alive;
  master_->maxlevel = 32;      // XML nesting depth of a request
  master_->maxoccurs = 1000;   // elements in a repeated field list
}

Listener::~Listener() {
  soap_free(master_);
}

bool Listener::bind(std::string& error) {
  if (!soap_valid_socket(soap_bind(master_, config_.listen_host.c_str(), config_.listen_port, 256))) {
    error = "cannot listen on " + config_.listen_host + ":" + std::to_string(config_.listen_port) + ": " +
            (*soap_faultdetail(master_) ? *soap_faultdetail(master_) : "bind failed");
    return false;
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(master_->master, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return true;
}

void Listener::run() {
  for (int i = 0; i < config_.workers; ++i) workers_.emplace_back([this] { work(); });
  const std::size_t max_queued = static_cast<std::size_t>(config_.workers) * 4;
  while (!stopping_) {
    SOAP_SOCKET s = soap_accept(master_);
    if (!soap_valid_socket(s)) continue;  // timeout (to look at stopping_) or a transient error
    Pending p{s, log::anonymise_ip(master_->host)};
    std::unique_lock lock(mu_);
    if (queue_.size() >= max_queued) {
      lock.unlock();
      ::close(s);
      log::warn("connection_refused", {{"reason", "queue full"}, {"client", p.address}});
      continue;
    }
    queue_.push_back(std::move(p));
    lock.unlock();
    ready_.notify_one();
  }
  {
    std::lock_guard lock(mu_);  // under the lock, so no worker misses the wake-up
    draining_ = true;
    // Stop reading from every connection: an idle keep-alive connection ends at once, a request being
    // processed still gets its answer (the write side stays open).
    for (int fd : serving_) ::shutdown(fd, SHUT_RD);
  }
  ready_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
  soap_closesock(master_);
}

bool Listener::pop(Pending& next) {
  std::unique_lock lock(mu_);
  ready_.wait(lock, [&] { return draining_ || !queue_.empty(); });
  if (queue_.empty()) return false;
  next = std::move(queue_.front());
  queue_.pop_front();
  serving_.insert(next.socket);
  if (draining_) ::shutdown(next.socket, SHUT_RD);
  return true;
}

void Listener::done(int socket) {
  std::lock_guard lock(mu_);
  serving_.erase(socket);
}

void Listener::work() {
  InquiryService service(pipeline_, *master_, config_.public_url);
  struct soap* s = service.soap;
  Pending conn;
  while (pop(conn)) {
    s->socket = conn.socket;
    // The handshake gets its own short budget, so a silent client cannot hold the worker long.
    s->recv_timeout = s->send_timeout = -config_.handshake_timeout_ms * 1000;
    if (soap_ssl_accept(s) != SOAP_OK) {
      log::info("tls_handshake_failed", {{"client", conn.address}, {"reason", *soap_faultstring(s) ? *soap_faultstring(s) : ""}});
      done(conn.socket);
      soap_force_closesock(s);
      soap_destroy(s);
      soap_end(s);
      continue;
    }
    PeerIdentity peer = peer_identity(s->ssl);
    peer.address = conn.address;
    service.set_peer(std::move(peer));
    s->recv_timeout = s->send_timeout = -config_.idle_timeout_ms * 1000;
    s->transfer_timeout = 30;  // seconds for one whole message, however slowly it trickles
    service.serve();
    done(conn.socket);
    soap_force_closesock(s);
    soap_destroy(s);
    soap_end(s);
  }
}

}  // namespace doelpoort
