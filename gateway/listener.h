// The SOAP listener: accepts TCP connections, and hands each to a worker thread that does the TLS
// handshake (with its own short time budget), identifies the peer from its certificate and serves
// requests on the connection until it closes, goes idle too long or reaches max_keep_alive.
//
// Connections wait in a bounded queue when every worker is busy; beyond it they are closed at once.
// (A readiness stage in front of the workers, so idle keep-alive connections hold no worker, is the
// next step: see the connection-admission issue.)
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config.h"
#include "pipeline.h"
#include "tls_context.h"

struct soap;

namespace doelpoort {

class Listener {
 public:
  Listener(Pipeline& pipeline, const GatewayConfig& config, SSL_CTX* tls);
  ~Listener();

  /// Binds the listening socket; port 0 picks a free port (see port()).
  bool bind(std::string& error);
  int port() const { return port_; }

  /// Accepts and serves until stop() is called; then closes the listening socket and joins the workers.
  void run();
  /// Safe from any thread (and from a signal-handling thread).
  void stop() { stopping_ = true; }

 private:
  struct Pending {
    int socket;
    std::string address;
  };
  void work();
  bool pop(Pending& next);
  void done(int socket);

  Pipeline& pipeline_;
  const GatewayConfig& config_;
  struct soap* master_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Pending> queue_;
  std::set<int> serving_;  // sockets a worker is serving now
  bool draining_ = false;  // set by run() once accepting has stopped; workers finish the queue and exit
  std::vector<std::thread> workers_;
};

/// The identity in the verified client certificate of `ssl`'s peer.
PeerIdentity peer_identity(SSL* ssl);

}  // namespace doelpoort
