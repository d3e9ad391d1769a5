// A circuit breaker for one registry, so that a registry that is down costs its callers nothing but a
// coded fault, and costs the registry nothing while it recovers.
//
// Rules (the time is passed in, so the state machine is pure and testable):
//   closed     every call is admitted. A failure adds one to the consecutive failures, a success sets
//              them to 0. At `failure_threshold` consecutive failures the breaker opens.
//   open       every call is rejected (the caller fails fast, without connecting) until `cooldown` has
//              passed since it opened; then the next call is admitted as the one probe: half-open.
//   half_open  only the probe is in flight; every other call is rejected. The probe's success closes the
//              breaker, its failure opens it again for a new cool-down. A probe that ends without a
//              verdict (it never reached the registry, or the answer says nothing about its health)
//              hands the probe to the next call.
// A verdict from a call admitted before the breaker last changed state (a slow call that was already
// under way) is counted but moves nothing: only calls made under the current state decide.
//
// What counts as a failure is the caller's business (HttpsUpstream: no connection, a timeout, a reset,
// an HTTP 5xx without a SOAP envelope; never an answer about the request such as NietsGevonden or an
// FWI Fout). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

namespace doelpoort {

enum class BreakerState : std::uint8_t { kClosed, kOpen, kHalfOpen };

/// "closed", "open" or "half_open" (for metrics and readiness).
std::string_view name(BreakerState state);

struct BreakerOptions {
  int failure_threshold = 5;                   ///< consecutive failures that open the breaker; >= 1
  std::chrono::milliseconds cooldown{10000};   ///< how long it stays open before one probe
};

/// The breaker's state and counters at one moment.
struct BreakerCounters {
  BreakerState state = BreakerState::kClosed;
  int consecutive_failures = 0;
  std::uint64_t successes = 0;  ///< verdicts "success", all calls
  std::uint64_t failures = 0;   ///< verdicts "failure", all calls
  std::uint64_t rejected = 0;   ///< calls failed fast (open, or half-open with the probe out)
  std::uint64_t opened = 0;     ///< times the breaker opened (from closed or from half-open)
};

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Verdict : std::uint8_t { kSuccess, kFailure, kNone };

  /// What admit() allowed; hand it back to record().
  struct Ticket {
    enum class Kind : std::uint8_t { kRejected, kCall, kProbe } kind = Kind::kRejected;
    std::uint64_t epoch = 0;  ///< the state generation it was admitted under
    bool admitted() const { return kind != Kind::kRejected; }
  };

  explicit CircuitBreaker(BreakerOptions options);

  /// Whether a call may go to the registry now. A rejected ticket needs no record().
  [[nodiscard]] Ticket admit(Clock::time_point now);
  /// The outcome of an admitted call, at `now`.
  void record(const Ticket& ticket, Verdict verdict, Clock::time_point now);

  /// How long from `now` until an open breaker lets a probe through (0 when not open).
  std::chrono::milliseconds retry_after(Clock::time_point now) const;
  BreakerCounters counters() const;
  const BreakerOptions& options() const { return options_; }

 private:
  void open(Clock::time_point now);  // with mu_ held
  void close();                      // with mu_ held

  const BreakerOptions options_;
  mutable std::mutex mu_;
  BreakerCounters counters_;
  std::uint64_t epoch_ = 0;  // bumped on every state change
  Clock::time_point opened_at_{};
  bool probe_out_ = false;
};

}  // namespace doelpoort
