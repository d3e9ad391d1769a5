#include "circuit_breaker.h"

#include <algorithm>

namespace doelpoort {

std::string_view name(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half_open";
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(BreakerOptions options) : options_(options) {}

CircuitBreaker::Ticket CircuitBreaker::admit(Clock::time_point now) {
  std::lock_guard lock(mu_);
  switch (counters_.state) {
    case BreakerState::kClosed: return {Ticket::Kind::kCall, epoch_};
    case BreakerState::kOpen:
      if (now - opened_at_ < options_.cooldown) break;
      counters_.state = BreakerState::kHalfOpen;
      ++epoch_;
      probe_out_ = true;
      return {Ticket::Kind::kProbe, epoch_};
    case BreakerState::kHalfOpen:
      if (probe_out_) break;
      probe_out_ = true;
      return {Ticket::Kind::kProbe, epoch_};
  }
  ++counters_.rejected;
  return {};
}

void CircuitBreaker::record(const Ticket& ticket, Verdict verdict, Clock::time_point now) {
  if (!ticket.admitted()) return;
  std::lock_guard lock(mu_);
  if (verdict == Verdict::kSuccess) ++counters_.successes;
  if (verdict == Verdict::kFailure) ++counters_.failures;
  if (ticket.epoch != epoch_) return;  // admitted under an earlier state: counted, decides nothing
  if (ticket.kind == Ticket::Kind::kProbe) {
    probe_out_ = false;
    if (verdict == Verdict::kSuccess) close();
    if (verdict == Verdict::kFailure) open(now);
    return;
  }
  if (verdict == Verdict::kSuccess) counters_.consecutive_failures = 0;
  if (verdict == Verdict::kFailure && ++counters_.consecutive_failures >= options_.failure_threshold) open(now);
}

std::chrono::milliseconds CircuitBreaker::retry_after(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  if (counters_.state != BreakerState::kOpen) return std::chrono::milliseconds(0);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(opened_at_ + options_.cooldown - now);
  return std::max(left, std::chrono::milliseconds(0));
}

BreakerCounters CircuitBreaker::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void CircuitBreaker::open(Clock::time_point now) {
  counters_.state = BreakerState::kOpen;
  ++counters_.opened;
  ++epoch_;
  opened_at_ = now;
  probe_out_ = false;
}

void CircuitBreaker::close() {
  counters_.state = BreakerState::kClosed;
  counters_.consecutive_failures = 0;
  ++epoch_;
}

}  // namespace doelpoort
