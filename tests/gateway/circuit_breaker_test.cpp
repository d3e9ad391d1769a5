// The circuit breaker's state machine, with the time passed in.
#include "circuit_breaker.h"

#include <gtest/gtest.h>

namespace doelpoort {
namespace {

using Clock = CircuitBreaker::Clock;
using Verdict = CircuitBreaker::Verdict;
using Kind = CircuitBreaker::Ticket::Kind;
using std::chrono::milliseconds;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreaker breaker{{3, milliseconds(1000)}};
  Clock::time_point t0 = Clock::now();

  void fail_once(Clock::time_point at) {
    const auto ticket = breaker.admit(at);
    ASSERT_TRUE(ticket.admitted());
    breaker.record(ticket, Verdict::kFailure, at);
  }
  void open_it() {
    for (int i = 0; i < 3; ++i) fail_once(t0);
    ASSERT_EQ(breaker.counters().state, BreakerState::kOpen);
  }
};

TEST_F(CircuitBreakerTest, StaysClosedBelowTheThreshold) {
  fail_once(t0);
  fail_once(t0);
  EXPECT_EQ(breaker.counters().state, BreakerState::kClosed);
  EXPECT_EQ(breaker.counters().consecutive_failures, 2);
  EXPECT_EQ(breaker.admit(t0).kind, Kind::kCall);
}

TEST_F(CircuitBreakerTest, OpensAfterTheThresholdOfConsecutiveFailures) {
  open_it();
  EXPECT_EQ(breaker.counters().opened, 1u);
  EXPECT_EQ(breaker.counters().failures, 3u);
}

TEST_F(CircuitBreakerTest, SuccessResetsTheConsecutiveFailures) {
  fail_once(t0);
  fail_once(t0);
  breaker.record(breaker.admit(t0), Verdict::kSuccess, t0);
  fail_once(t0);
  fail_once(t0);
  EXPECT_EQ(breaker.counters().state, BreakerState::kClosed);
  EXPECT_EQ(breaker.counters().consecutive_failures, 2);
}

TEST_F(CircuitBreakerTest, VerdictWithoutMeaningNeitherCountsNorResets) {
  fail_once(t0);
  fail_once(t0);
  breaker.record(breaker.admit(t0), Verdict::kNone, t0);
  EXPECT_EQ(breaker.counters().consecutive_failures, 2);
  fail_once(t0);
  EXPECT_EQ(breaker.counters().state, BreakerState::kOpen);
}

TEST_F(CircuitBreakerTest, RejectsEveryCallWhileOpenAndCountsThem) {
  open_it();
  EXPECT_FALSE(breaker.admit(t0 + milliseconds(10)).admitted());
  EXPECT_FALSE(breaker.admit(t0 + milliseconds(999)).admitted());
  EXPECT_EQ(breaker.counters().rejected, 2u);
  EXPECT_EQ(breaker.retry_after(t0 + milliseconds(400)), milliseconds(600));
}

TEST_F(CircuitBreakerTest, LetsOneProbeThroughAfterTheCooldown) {
  open_it();
  const auto probe = breaker.admit(t0 + milliseconds(1000));
  EXPECT_EQ(probe.kind, Kind::kProbe);
  EXPECT_EQ(breaker.counters().state, BreakerState::kHalfOpen);
  EXPECT_FALSE(breaker.admit(t0 + milliseconds(1001)).admitted()) << "only one probe at a time";
  EXPECT_EQ(breaker.retry_after(t0 + milliseconds(1001)), milliseconds(0));
}

TEST_F(CircuitBreakerTest, SuccessfulProbeCloses) {
  open_it();
  const auto probe = breaker.admit(t0 + milliseconds(1000));
  breaker.record(probe, Verdict::kSuccess, t0 + milliseconds(1100));
  EXPECT_EQ(breaker.counters().state, BreakerState::kClosed);
  EXPECT_EQ(breaker.counters().consecutive_failures, 0);
  EXPECT_EQ(breaker.admit(t0 + milliseconds(1101)).kind, Kind::kCall);
}

TEST_F(CircuitBreakerTest, FailedProbeOpensForANewCooldown) {
  open_it();
  const auto probe = breaker.admit(t0 + milliseconds(1000));
  breaker.record(probe, Verdict::kFailure, t0 + milliseconds(1500));
  EXPECT_EQ(breaker.counters().state, BreakerState::kOpen);
  EXPECT_EQ(breaker.counters().opened, 2u);
  EXPECT_FALSE(breaker.admit(t0 + milliseconds(2400)).admitted()) << "the cool-down restarts at the failure";
  EXPECT_EQ(breaker.admit(t0 + milliseconds(2500)).kind, Kind::kProbe);
}

TEST_F(CircuitBreakerTest, ProbeWithoutVerdictHandsTheProbeToTheNextCall) {
  open_it();
  const auto probe = breaker.admit(t0 + milliseconds(1000));
  breaker.record(probe, Verdict::kNone, t0 + milliseconds(1001));
  EXPECT_EQ(breaker.counters().state, BreakerState::kHalfOpen);
  EXPECT_EQ(breaker.admit(t0 + milliseconds(1002)).kind, Kind::kProbe);
}

TEST_F(CircuitBreakerTest, CallAdmittedBeforeTheBreakerOpenedDecidesNothing) {
  const auto slow_call = breaker.admit(t0);  // still under way while the breaker opens
  open_it();
  breaker.record(slow_call, Verdict::kSuccess, t0 + milliseconds(10));
  EXPECT_EQ(breaker.counters().state, BreakerState::kOpen);
  EXPECT_EQ(breaker.counters().successes, 1u) << "counted all the same";
}

TEST_F(CircuitBreakerTest, CallAdmittedWhileClosedDoesNotEndAHalfOpenProbe) {
  const auto slow_call = breaker.admit(t0);
  open_it();
  const auto probe = breaker.admit(t0 + milliseconds(1000));
  breaker.record(slow_call, Verdict::kFailure, t0 + milliseconds(1001));
  EXPECT_EQ(breaker.counters().state, BreakerState::kHalfOpen);
  breaker.record(probe, Verdict::kSuccess, t0 + milliseconds(1002));
  EXPECT_EQ(breaker.counters().state, BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, StatesHaveStableNames) {
  EXPECT_EQ(name(BreakerState::kClosed), "closed");
  EXPECT_EQ(name(BreakerState::kOpen), "open");
  EXPECT_EQ(name(BreakerState::kHalfOpen), "half_open");
}

}  // namespace
}  // namespace doelpoort
