// A small deterministic random generator for the synthetic population.
//
// The standard <random> engines are deterministic, but its distributions are not specified bit for bit
// (libstdc++ and libc++ give different numbers), so a seed would not name the same population on every
// build. This generator (SplitMix64 seeding xoshiro256**) and its helpers are fully specified here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace doelpoort::sim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& word : state_) word = splitmix(seed);
  }

  /// The next 64 random bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// A number in [lo, hi] (inclusive); the modulo bias is negligible for the small ranges used here.
  int between(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<int>(next() % span);
  }

  /// True with probability percent/100.
  bool chance(int percent) { return between(0, 99) < percent; }

  /// One element of a non-empty table.
  template <typename T>
  const T& pick(std::span<const T> table) {
    return table[static_cast<std::size_t>(next() % table.size())];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::uint64_t state_[4];
};

}  // namespace doelpoort::sim
