#include "histogram.h"

#include <algorithm>
#include <bit>

namespace doelpoort::bench {
namespace {

constexpr std::size_t kSubBuckets = std::size_t{1} << Histogram::kSubBucketBits;  // exact values 0..2047
constexpr std::size_t kHalf = kSubBuckets / 2;                                    // bins per power of two
constexpr int kMaxShift = 64 - Histogram::kSubBucketBits;                         // for values up to 2^64-1
constexpr std::size_t kBins = kSubBuckets + static_cast<std::size_t>(kMaxShift) * kHalf;

}  // namespace

Histogram::Histogram() : counts_(kBins, 0) {}

// v in [2^m, 2^(m+1)) with m >= kSubBucketBits is v >> k with k = m - kSubBucketBits + 1, a "sub-bucket"
// in [kHalf, kSubBuckets): the top kSubBucketBits bits of v. Bins of width 2^k follow the exact ones.
std::size_t Histogram::index_of(std::uint64_t value) {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  const int magnitude = 63 - std::countl_zero(value);
  const int shift = magnitude - kSubBucketBits + 1;
  const auto sub = static_cast<std::size_t>(value >> shift);
  return kSubBuckets + static_cast<std::size_t>(shift - 1) * kHalf + (sub - kHalf);
}

std::uint64_t Histogram::lowest_in_bin(std::size_t index) {
  if (index < kSubBuckets) return index;
  const std::size_t j = index - kSubBuckets;
  const int shift = static_cast<int>(j / kHalf) + 1;
  return static_cast<std::uint64_t>(kHalf + j % kHalf) << shift;
}

std::uint64_t Histogram::highest_in_bin(std::size_t index) {
  if (index < kSubBuckets) return index;
  const int shift = static_cast<int>((index - kSubBuckets) / kHalf) + 1;
  return lowest_in_bin(index) + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record(std::uint64_t value, std::uint64_t count) {
  if (count == 0) return;
  counts_[index_of(value)] += count;
  total_ += count;
  sum_ += value * count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < kBins; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

std::uint64_t Histogram::value_at_percentile(double percentile) const {
  if (total_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  if (percentile == 0.0) return min();
  // As HdrHistogram: the rank rounded to the nearest count, at least the first value.
  auto rank = static_cast<std::uint64_t>(percentile / 100.0 * static_cast<double>(total_) + 0.5);
  rank = std::clamp<std::uint64_t>(rank, 1, total_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBins; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_in_bin(i), max_);
  }
  return max_;
}

}  // namespace doelpoort::bench
