#include "admin_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "log.h"
#include "stdsoap2.h"

namespace doelpoort {
namespace {

constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kJsonType = "application/json";

std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

/// soap->path without its query string.
std::string path_of(const struct soap* soap) {
  std::string path = soap->path;
  if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
  return path;
}

bool known_path(const std::string& path) { return path == "/metrics" || path == "/healthz" || path == "/readyz"; }

void free_context(struct soap* s) {
  soap_destroy(s);
  soap_end(s);
  soap_free(s);
}

}  // namespace

AdminServer::AdminServer(const AdminConfig& config, Handlers handlers)
    : config_(config), handlers_(std::move(handlers)) {}

AdminServer::~AdminServer() {
  stop();
  if (soap_ != nullptr) free_context(soap_);  // closes the listening socket
}

bool AdminServer::bind(std::string& error) {
  soap_ = soap_new1(SOAP_C_UTFSTRING);  // no SOAP_IO_KEEPALIVE: one request per connection
  if (soap_ == nullptr) {
    error = "admin: out of memory";
    return false;
  }
  soap_->user = this;
  soap_->bind_flags = SO_REUSEADDR;
  soap_->accept_timeout = -200000;  // µs: notice stop() five times a second
  soap_->recv_timeout = soap_->send_timeout = 3;  // s: a silent client holds the one thread this long at most
  soap_->transfer_timeout = 3;
  soap_->recv_maxlength = 64 * 1024;
  soap_->fget = on_get;
  soap_->fput = soap_->fpatch = soap_->fdel = soap_->fopt = soap_->fhead = on_other_method;
  if (config_.tls) {
    tls_ = tls::make_server_context(*config_.tls, error);
    if (!tls_) {
      error = "admin tls: " + error;
      return false;
    }
    tls::attach(soap_, tls_.get(), /*server=*/true);
  }
  if (!soap_valid_socket(soap_bind(soap_, config_.listen_host.c_str(), config_.listen_port, 16))) {
    const char** detail = soap_faultdetail(soap_);
    error = "admin: cannot listen on " + config_.listen_host + ":" + std::to_string(config_.listen_port) + ": " +
            (detail != nullptr && *detail != nullptr ? *detail : "bind failed");
    return false;
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(soap_->master, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return true;
}

void AdminServer::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "dp-admin");
    run();
  });
}

void AdminServer::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void AdminServer::run() {
  while (!stopping_) {
    const SOAP_SOCKET fd = soap_accept(soap_);
    if (!soap_valid_socket(fd)) {
      if (soap_->errnum != 0 && !stopping_) {  // errnum 0: the accept timeout
        log::warn("admin_accept_failed", {{"errno", soap_->errnum}});
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    struct soap* c = soap_copy(soap_);
    soap_->socket = SOAP_INVALID_SOCKET;  // the copy owns it now
    if (c == nullptr) {
      ::close(fd);
      continue;
    }
    if (!config_.tls || soap_ssl_accept(c) == SOAP_OK) {
      const int rc = soap_begin_recv(c);
      // SOAP_STOP: answered by a hook (GET, PUT, DELETE, …). A POST, whether gSOAP could read its body or
      // not, gets 405 (404 off our paths); a connection that broke or timed out gets nothing.
      if (rc != SOAP_STOP && c->status == SOAP_POST) {
        c->error = SOAP_OK;
        c->keep_alive = 0;
        c->http_extra_header = "Allow: GET";
        soap_send_empty_response(c, known_path(path_of(c)) ? 405 : 404);
      }
    }
    free_context(c);  // closes the connection
  }
}

int AdminServer::on_get(struct soap* soap) {
  auto* self = static_cast<AdminServer*>(soap->user);
  const std::string path = path_of(soap);
  int status = 200;
  const char* type = kJsonType;
  std::string body;
  if (path == "/metrics") {
    type = kMetricsType;
    body = self->handlers_.metrics();
  } else if (path == "/healthz") {
    body = json_text(self->handlers_.liveness());
  } else if (path == "/readyz") {
    bool ready = false;
    body = json_text(self->handlers_.readiness(ready));
    status = ready ? 200 : 503;
  } else {
    status = 404;
    body = json_text({{"error", "not found"}, {"paths", {"/metrics", "/healthz", "/readyz"}}});
  }
  soap->keep_alive = 0;
  soap->http_content = type;
  if (soap_response(soap, SOAP_FILE + status) != SOAP_OK || soap_send_raw(soap, body.data(), body.size()) != SOAP_OK)
    return soap_closesock(soap);
  return soap_end_send(soap);
}

int AdminServer::on_other_method(struct soap* soap) {
  soap->keep_alive = 0;
  soap->http_extra_header = "Allow: GET";
  return soap_send_empty_response(soap, known_path(path_of(soap)) ? 405 : 404);
}

}  // namespace doelpoort
