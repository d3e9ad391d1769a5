// The SOAP listener, in two stages, so that idle and silent connections cost no worker:
//
//   admission  one thread owns the listening socket: it accepts (within the total and per-address
//              connection caps), puts each new connection in the workers' epoll set, closes a connection
//              whose handshake or keep-alive idle time runs out, and closes those the workers are done with.
//   workers    a fixed pool waiting in one epoll set of idle connections (EPOLLONESHOT: the kernel wakes
//              one worker for a connection with bytes to read, and no other until it is re-armed). A
//              worker advances a connection's TLS handshake (non-blocking: a client that sends half a
//              ClientHello holds no worker) or serves one request on it, then puts the connection back
//              into the epoll set itself, or hands it to admission to close. An inquiry costs no
//              hand-off between threads.
//
// A connection's state between requests is its socket and its OpenSSL session only; the worker's gSOAP
// context serves whichever connection it holds, reading and writing through tls::read and tls::write
// with OpenSSL's read-ahead on. Bytes read ahead, by gSOAP (it drops them when it answers: no HTTP
// pipelining) or by OpenSSL (epoll does not see them), are served at once on the same worker: a
// connection is parked only with nothing read ahead, after a handshake as after a request.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config.h"
#include "pipeline.h"
#include "tls_context.h"

struct soap;

namespace doelpoort {

class InquiryService;
struct ListenerMetrics;

/// Counters of the admission stage (for metrics and tests).
struct ListenerStats {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused_total_cap{0};
  std::atomic<std::uint64_t> refused_peer_cap{0};
  std::atomic<std::uint64_t> handshake_failed{0};
  std::atomic<std::uint64_t> handshake_timeouts{0};
  std::atomic<std::uint64_t> idle_closed{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::int64_t> open{0};
};

class Listener {
 public:
  /// `metrics` (optional) counts accepted and refused connections and failed handshakes by reason.
  Listener(Pipeline& pipeline, const GatewayConfig& config, SSL_CTX* tls, const ListenerMetrics* metrics = nullptr);
  ~Listener();

  /// Binds the listening socket; port 0 picks a free port (see port()).
  bool bind(std::string& error);
  int port() const { return port_; }

  /// Accepts and serves until stop(); then stops accepting, lets the requests in progress finish,
  /// closes every connection and joins the workers.
  void run();
  /// Safe from any thread.
  void stop();
  /// New connections use `tls` from now on (a reloaded certificate or CRL); open ones keep theirs.
  void use_tls(SSL_CTX* tls);

  const ListenerStats& stats() const { return stats_; }

 private:
  struct Connection;
  using Clock = std::chrono::steady_clock;

  void admit();
  void park(std::unique_ptr<Connection> c);
  void close(std::unique_ptr<Connection> c);
  void expire(Clock::time_point now);
  void work();
  bool handshake(Connection& c);
  bool serve(InquiryService& service, Connection& c);

  Pipeline& pipeline_;
  const GatewayConfig& config_;
  const ListenerMetrics* metrics_;
  std::atomic<SSL_CTX*> tls_;  // each SSL object holds its own reference to the context it was made from
  std::mutex tls_mu_;          // guards retiring the previous context
  std::vector<tls::CtxPtr> retired_tls_;
  struct soap* master_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;        // admission's: the listening socket and wake_fd_
  int wake_fd_ = -1;         // eventfd: workers giving connections back, and stop()
  int idle_epoll_fd_ = -1;   // the workers': parked connections, and drain_fd_
  int drain_fd_ = -1;        // eventfd, written once when draining: every waiting worker returns
  std::uint32_t next_generation_ = 0;  // admission only: tags each connection's epoll events
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  ListenerStats stats_;

  // Owned by the admission thread only.
  std::unordered_map<std::string, int> per_peer_;  // open connections per client address
  Clock::time_point last_sweep_ = Clock::now();

  std::mutex mu_;
  // Idle connections in the workers' epoll set, by fd: admission adds new ones and takes expired ones; a
  // worker takes the one epoll woke it for and puts it back (re-armed) when it has served it.
  std::unordered_map<int, std::unique_ptr<Connection>> parked_;
  std::vector<std::unique_ptr<Connection>> closing_;  // workers -> admission, to close and uncount
  bool draining_ = false;
  int busy_ = 0;  // connections held by workers
  std::vector<std::thread> workers_;
};

/// Shuts down our side of `fd`, drains what the peer still sends (briefly), then closes it.
int lingering_close(int fd);

/// The identity in the verified client certificate of `ssl`'s peer.
PeerIdentity peer_identity(SSL* ssl);

}  // namespace doelpoort
