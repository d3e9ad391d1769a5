// The load generator's latency histogram: percentiles of known distributions, its error bound, merging.
#include "histogram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace doelpoort::bench {
namespace {

constexpr double kRelativeError = 1.0 / 1024;  // 2^-(kSubBucketBits-1)

void expect_near_relative(std::uint64_t actual, std::uint64_t expected) {
  const double e = static_cast<double>(expected);
  EXPECT_GE(static_cast<double>(actual), e) << "highest equivalent value must not be below the true value";
  EXPECT_LE(static_cast<double>(actual), e * (1 + kRelativeError)) << "expected about " << expected;
}

TEST(HistogramTest, EmptyHistogramReportsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0U);
  EXPECT_EQ(h.value_at_percentile(50), 0U);
  EXPECT_EQ(h.max(), 0U);
  EXPECT_EQ(h.min(), 0U);
}

TEST(HistogramTest, SmallValuesAreCountedExactly) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 2000; ++v) h.record(v);
  EXPECT_EQ(h.value_at_percentile(50), 1000U);
  EXPECT_EQ(h.value_at_percentile(90), 1800U);
  EXPECT_EQ(h.value_at_percentile(99), 1980U);
  EXPECT_EQ(h.value_at_percentile(99.9), 1998U);
  EXPECT_EQ(h.value_at_percentile(100), 2000U);
  EXPECT_EQ(h.value_at_percentile(0), 1U);
}

TEST(HistogramTest, UniformDistributionPercentilesWithinATenthOfAPercent) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 1'000'000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 1'000'000U);
  expect_near_relative(h.value_at_percentile(50), 500'000);
  expect_near_relative(h.value_at_percentile(90), 900'000);
  expect_near_relative(h.value_at_percentile(99), 990'000);
  expect_near_relative(h.value_at_percentile(99.9), 999'000);
  EXPECT_EQ(h.value_at_percentile(100), 1'000'000U);
  EXPECT_EQ(h.max(), 1'000'000U);
  EXPECT_EQ(h.min(), 1U);
  EXPECT_DOUBLE_EQ(h.mean(), 500'000.5);
}

// 99 % of requests take 1 ms and 1 % take 100 ms: p99 is still 1 ms, p99.9 is 100 ms.
TEST(HistogramTest, BimodalLatenciesSeparateAtTheRightPercentile) {
  Histogram h;
  h.record(1'000'000, 9'900);   // ns
  h.record(100'000'000, 100);
  expect_near_relative(h.value_at_percentile(50), 1'000'000);
  expect_near_relative(h.value_at_percentile(99), 1'000'000);
  expect_near_relative(h.value_at_percentile(99.5), 100'000'000);
  EXPECT_EQ(h.value_at_percentile(99.9), 100'000'000U);  // capped at the largest value recorded
  EXPECT_EQ(h.max(), 100'000'000U);
}

TEST(HistogramTest, EveryValueLiesInItsBinAndBinsAreNarrow) {
  std::uint64_t x = 88172645463325252ULL;  // xorshift64: deterministic values spread over all magnitudes
  for (int i = 0; i < 200'000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const std::uint64_t v = x >> (i % 64);
    const std::size_t bin = Histogram::index_of(v);
    const std::uint64_t low = Histogram::lowest_in_bin(bin);
    const std::uint64_t high = Histogram::highest_in_bin(bin);
    ASSERT_LE(low, v);
    ASSERT_GE(high, v);
    ASSERT_LE(static_cast<double>(high - low), static_cast<double>(low) * kRelativeError) << v;
    if (bin > 0) {
      ASSERT_EQ(Histogram::highest_in_bin(bin - 1) + 1, low) << "bins must tile the range: " << v;
    }
  }
}

TEST(HistogramTest, TheLargestValueIsNotClamped) {
  Histogram h;
  h.record(std::numeric_limits<std::uint64_t>::max());
  h.record(1);
  EXPECT_EQ(h.value_at_percentile(100), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(h.value_at_percentile(50), 1U);
}

TEST(HistogramTest, MergingEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (std::uint64_t v = 1; v <= 50'000; ++v) {
    (v % 3 == 0 ? a : b).record(v * 37);
    all.record(v * 37);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) EXPECT_EQ(a.value_at_percentile(p), all.value_at_percentile(p)) << p;
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  a.reset();
  EXPECT_EQ(a.count(), 0U);
  EXPECT_EQ(a.value_at_percentile(99), 0U);
}

}  // namespace
}  // namespace doelpoort::bench
