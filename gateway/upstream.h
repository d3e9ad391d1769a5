// Calling a registry: one HTTPS POST of a SOAP request over mutual TLS, on a pooled keep-alive connection.
//
// One slow or dead registry must cost a bounded time per inquiry and nothing to the other registries.
// HttpsUpstream bounds every call (all settings are per source, SourceConfig in config.h):
//  - deadline     the whole call, the one retry included, ends within `timeout_ms`. Every read and write
//                 waits at most what is left of it, and the deadline is checked before each read, so a
//                 registry that drips its answer a byte at a time is cut off at the deadline instead of
//                 resetting a per-read timer forever (gSOAP's own transfer_timeout counts in whole
//                 seconds and only from soap_begin_recv, so it is not used).
//  - connect      TCP connect plus TLS handshake: at most `connect_timeout_ms` per attempt.
//  - concurrency  at most `max_concurrent` calls in flight; another call waits up to kSlotWait for a slot
//                 and then fails with UPSTREAM_OVERLOADED, so a hanging registry holds a bounded number of
//                 the gateway's workers.
//  - breaker      circuit_breaker.h: `breaker_failures` consecutive failures (no connection, a timeout, a
//                 reset or cut-off answer, an HTTP 5xx without a SOAP envelope) open it; for
//                 `breaker_cooldown_ms` calls then fail with UPSTREAM_CIRCUIT_OPEN without connecting,
//                 then one probe decides. NietsGevonden and FWI Fout answers are answers: not failures.
//  - retry        at most one, and only when no connection could be made (the request never left).
//                 An idle pooled connection is checked before reuse (an idle keep-alive socket that is
//                 readable or hung up was closed by the registry) and dropped when dead, so a request is
//                 never written to a stale connection and never sent twice.
//  - size         a Content-Length over the limit is refused before any of the body is read; a chunked
//                 body is cut off at the limit. Compressed answers are refused: no Accept-Encoding is sent,
//                 and an answer with a Content-Encoding other than identity is not read (gSOAP is built
//                 WITH_GZIP and would otherwise inflate it: a zip bomb).
// Codes: UPSTREAM_UNAVAILABLE (no connection, timeout, reset, cut off, HTTP 502/503/504), UPSTREAM_ERROR
// (HTTP 500 or other 5xx without a SOAP envelope, an answer refused for its size or encoding),
// UPSTREAM_OVERLOADED, UPSTREAM_CIRCUIT_OPEN. Any other answer is OK with its HTTP status; the pipeline
// judges it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "circuit_breaker.h"
#include "codes.h"
#include "config.h"
#include "tls_context.h"

namespace doelpoort {

struct RegistryMetrics;

struct UpstreamReply {
  int http_status = 0;  ///< 0 when no answer arrived
  std::string body;
};

/// A registry's health, for metrics and readiness.
struct UpstreamHealth {
  BreakerCounters breaker;
  int in_flight = 0;                 ///< calls under way now
  std::uint64_t overloaded = 0;      ///< calls refused for want of a slot (UPSTREAM_OVERLOADED)
  std::uint64_t connect_retries = 0;  ///< second attempts after a failed connect
  std::uint64_t stale_dropped = 0;   ///< idle pooled connections found closed by the registry
};

/// A registry endpoint. Implementations MUST be thread-safe and MUST bound every call by a timeout.
class Upstream {
 public:
  virtual ~Upstream() = default;
  /// Sends `request` with SOAPAction `action`. OK with the answer (its HTTP status in `reply`), or a
  /// coded failure (UPSTREAM_*) when there is no usable answer; `reply.http_status` is set whenever
  /// an HTTP status arrived.
  virtual Status call(std::string_view request, const std::string& action, UpstreamReply& reply) = 0;
  virtual const std::string& url() const = 0;
  /// State and counters; an implementation without a breaker reports a closed one.
  virtual UpstreamHealth health() const { return {}; }
};

/// HTTPS upstream with a pool of keep-alive gSOAP connections and the bounds above.
class HttpsUpstream final : public Upstream {
 public:
  /// How long a call waits for a slot when `max_concurrent` calls are under way.
  static constexpr std::chrono::milliseconds kSlotWait{100};

  /// `metrics` (optional) receives call durations, error kinds and the registry's certificate expiry.
  static std::unique_ptr<HttpsUpstream> create(const SourceConfig& config, long max_reply_bytes,
                                               std::string& error, const RegistryMetrics* metrics = nullptr);
  ~HttpsUpstream() override;

  Status call(std::string_view request, const std::string& action, UpstreamReply& reply) override;
  const std::string& url() const override { return config_.url; }
  UpstreamHealth health() const override;

  struct Connection;  // implementation detail: a gSOAP context with our I/O hooks (upstream.cpp)

 private:
  using Clock = std::chrono::steady_clock;
  struct Attempt;

  HttpsUpstream(const SourceConfig& config, long max_reply_bytes, tls::CtxPtr ctx, const RegistryMetrics* metrics);
  Status call_admitted(std::string_view request, const std::string& action, UpstreamReply& reply,
                       Clock::time_point deadline, CircuitBreaker::Verdict& verdict);
  Attempt attempt(std::string_view request, const std::string& action, UpstreamReply& reply,
                  Clock::time_point deadline);
  Attempt exchange(Connection& c, std::string_view request, const std::string& action, UpstreamReply& reply);
  Attempt judge(const UpstreamReply& reply) const;
  std::unique_ptr<Connection> acquire();
  std::unique_ptr<Connection> new_connection();
  void release(std::unique_ptr<Connection> c, bool reusable);
  bool take_slot(Clock::time_point deadline);
  void give_slot();
  Status circuit_open_status(Clock::time_point now) const;

  SourceConfig config_;
  long max_reply_bytes_;
  tls::CtxPtr ctx_;
  CircuitBreaker breaker_;
  const RegistryMetrics* metrics_;

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_;

  mutable std::mutex slot_mu_;
  std::condition_variable slot_free_;
  int in_flight_ = 0;  // with slot_mu_

  std::atomic<std::uint64_t> overloaded_{0};
  std::atomic<std::uint64_t> connect_retries_{0};
  std::atomic<std::uint64_t> stale_dropped_{0};
};

}  // namespace doelpoort
