// The Merkle tree of RFC 9162 (Certificate Transparency v2, section 2.1) over the audit log's records.
//
// Hashes, exactly: SHA-256 throughout;
//   leaf hash  = SHA-256(0x00 || leaf bytes)            (a leaf's bytes: one sealed audit line, no newline)
//   node hash  = SHA-256(0x01 || left hash || right hash)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])) with k the largest power of two below n
// Inclusion and consistency proofs are generated and verified with the algorithms of RFC 9162 2.1.3 and
// 2.1.4; the test vectors of RFC 6962's reference implementation pass (tests/gateway/merkle_test.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace doelpoort::merkle {

using Hash = std::array<unsigned char, 32>;

Hash leaf_hash(std::string_view leaf);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();

std::string hex(const Hash& h);
bool from_hex(std::string_view text, Hash& out);

/// MTH of leaf hashes [begin, end).
Hash root(const std::vector<Hash>& leaves, std::size_t begin, std::size_t end);
inline Hash root(const std::vector<Hash>& leaves) { return root(leaves, 0, leaves.size()); }

/// The audit path of leaf `index` in the tree of the first `size` leaves.
std::vector<Hash> inclusion_proof(const std::vector<Hash>& leaves, std::size_t index, std::size_t size);
/// The proof that the tree of the first `old_size` leaves is a prefix of the tree of the first `new_size`.
std::vector<Hash> consistency_proof(const std::vector<Hash>& leaves, std::size_t old_size, std::size_t new_size);

bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf, const std::vector<Hash>& proof,
                      const Hash& root);
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const std::vector<Hash>& proof,
                        const Hash& old_root, const Hash& new_root);

/// The right edge of a growing tree: the roots of its perfect subtrees, largest first, so appending a leaf
/// and computing the root cost O(log n) and hold O(log n) hashes (the writer never keeps all leaves).
class Frontier {
 public:
  void append(const Hash& leaf);
  Hash root() const;
  std::uint64_t size() const { return size_; }

 private:
  std::vector<Hash> subtrees_;  // roots of perfect subtrees of decreasing size (binary digits of size_)
  std::uint64_t size_ = 0;
};

}  // namespace doelpoort::merkle
