// A log-linear latency histogram in the manner of HdrHistogram: values below 2^kSubBucketBits are
// counted exactly; above, each power of two is split into 2^(kSubBucketBits-1) equal bins, so every
// recorded value is known to within 1/2^(kSubBucketBits-1) of itself (0.1 %: three significant digits)
// over the whole range of a uint64 — no range to configure, no value is ever clamped.
//
// Written here rather than taken from a package: Debian 12 has no C/C++ HdrHistogram (only the Java,
// Go and Python ports), and what the load generator needs is ~100 lines. Not thread-safe: one per
// thread, merged at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace doelpoort::bench {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 11;  ///< 2048 exact values, then 1024 bins per power of two

  Histogram();

  void record(std::uint64_t value, std::uint64_t count = 1);
  void merge(const Histogram& other);
  void reset();

  std::uint64_t count() const { return total_; }
  std::uint64_t min() const { return total_ == 0 ? 0 : min_; }
  std::uint64_t max() const { return max_; }
  double mean() const { return total_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(total_); }

  /// The smallest recorded value v such that at least `percentile` % of the values are <= v, reported
  /// as the highest value its bin holds (HdrHistogram's "highest equivalent value"), never above max().
  /// 0 when empty; percentile is clamped to [0, 100] (0 gives min(), 100 gives max()).
  std::uint64_t value_at_percentile(double percentile) const;

  /// The bin a value falls in, and the values that bin holds: [lowest, highest].
  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t lowest_in_bin(std::size_t index);
  static std::uint64_t highest_in_bin(std::size_t index);

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;  // for the mean; ns values overflow only after ~584 years in total
};

}  // namespace doelpoort::bench
