// Calling a registry: one HTTPS POST of a SOAP request over mutual TLS, on a pooled keep-alive connection.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "codes.h"
#include "config.h"
#include "tls_context.h"

struct soap;

namespace doelpoort {

struct UpstreamReply {
  int http_status = 0;  ///< 0 when no answer arrived
  std::string body;
};

/// A registry endpoint. Implementations MUST be thread-safe and MUST bound every call by a timeout.
class Upstream {
 public:
  virtual ~Upstream() = default;
  /// Sends `request` with SOAPAction `action`. OK with the answer (any HTTP status), or
  /// UPSTREAM_UNAVAILABLE when no answer arrived in time.
  virtual Status call(std::string_view request, const std::string& action, UpstreamReply& reply) = 0;
  virtual const std::string& url() const = 0;
};

/// HTTPS upstream with a pool of keep-alive gSOAP connections. A request that fails on a reused
/// connection (the registry closed it while idle) is retried once on a new connection; nothing else is.
class HttpsUpstream final : public Upstream {
 public:
  static std::unique_ptr<HttpsUpstream> create(const SourceConfig& config, long max_reply_bytes,
                                               std::string& error);
  ~HttpsUpstream() override;

  Status call(std::string_view request, const std::string& action, UpstreamReply& reply) override;
  const std::string& url() const override { return config_.url; }

 private:
  HttpsUpstream(const SourceConfig& config, long max_reply_bytes, tls::CtxPtr ctx);
  struct soap* acquire(bool fresh, bool& reused);
  void release(struct soap* s, bool keep);
  Status exchange(struct soap* s, std::string_view request, const std::string& action, UpstreamReply& reply);

  SourceConfig config_;
  long max_reply_bytes_;
  tls::CtxPtr ctx_;
  std::mutex mu_;
  std::vector<struct soap*> idle_;
};

}  // namespace doelpoort
