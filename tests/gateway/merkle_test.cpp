// RFC 9162 hashing and proofs against the reference vectors of RFC 6962's implementation, and
// exhaustively on small trees.
#include "merkle.h"

#include <gtest/gtest.h>

namespace doelpoort::merkle {
namespace {

std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

Hash H(std::string_view h) {
  Hash out{};
  EXPECT_TRUE(from_hex(h, out)) << h;
  return out;
}

const std::vector<std::string> kLeafData = {unhex(""), unhex("00"), unhex("10"), unhex("2021"), unhex("3031"),
                                            unhex("40414243"), unhex("5051525354555657"),
                                            unhex("606162636465666768696a6b6c6d6e6f")};
const std::vector<std::string> kRoots = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

std::vector<Hash> leaves() {
  std::vector<Hash> out;
  for (const auto& d : kLeafData) out.push_back(leaf_hash(d));
  return out;
}

TEST(Merkle, RootsMatchTheReferenceVectorsForEverySize) {
  const auto l = leaves();
  Frontier f;
  EXPECT_EQ(hex(f.root()), kRoots[0]);
  for (std::size_t n = 0; n <= l.size(); ++n) {
    EXPECT_EQ(hex(root(l, 0, n)), kRoots[n]) << n;
    if (n > 0) {
      f.append(l[n - 1]);
      EXPECT_EQ(hex(f.root()), kRoots[n]) << "frontier " << n;
    }
  }
}

struct InclusionVector {
  std::size_t index, size;
  std::vector<std::string> proof;
};

TEST(Merkle, InclusionProofsMatchTheReferenceVectors) {
  const auto l = leaves();
  const std::vector<InclusionVector> vectors = {
      {0, 8, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5, 8, {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1, 5, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}}};
  for (const auto& v : vectors) {
    auto proof = inclusion_proof(l, v.index, v.size);
    ASSERT_EQ(proof.size(), v.proof.size()) << v.index << "/" << v.size;
    for (std::size_t i = 0; i < proof.size(); ++i) EXPECT_EQ(hex(proof[i]), v.proof[i]);
    EXPECT_TRUE(verify_inclusion(v.index, v.size, l[v.index], proof, H(kRoots[v.size])));
    EXPECT_FALSE(verify_inclusion(v.index, v.size, l[v.index], proof, H(kRoots[v.size - 1])));
  }
}

struct ConsistencyVector {
  std::size_t old_size, new_size;
  std::vector<std::string> proof;
};

TEST(Merkle, ConsistencyProofsMatchTheReferenceVectors) {
  const auto l = leaves();
  const std::vector<ConsistencyVector> vectors = {
      {1, 1, {}},
      {1, 8, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6, 8, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 5, {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}}};
  for (const auto& v : vectors) {
    auto proof = consistency_proof(l, v.old_size, v.new_size);
    ASSERT_EQ(proof.size(), v.proof.size()) << v.old_size << "->" << v.new_size;
    for (std::size_t i = 0; i < proof.size(); ++i) EXPECT_EQ(hex(proof[i]), v.proof[i]);
    EXPECT_TRUE(verify_consistency(v.old_size, v.new_size, proof, H(kRoots[v.old_size]), H(kRoots[v.new_size])));
  }
}

TEST(Merkle, EveryProofOfSmallTreesVerifiesAndATamperedOneDoesNot) {
  std::vector<Hash> l;
  for (int i = 0; i < 40; ++i) l.push_back(leaf_hash(std::string(1 + i % 7, static_cast<char>(i))));
  for (std::size_t n = 1; n <= l.size(); ++n) {
    const Hash r = root(l, 0, n);
    for (std::size_t i = 0; i < n; ++i) {
      auto proof = inclusion_proof(l, i, n);
      EXPECT_TRUE(verify_inclusion(i, n, l[i], proof, r)) << i << "/" << n;
      if (!proof.empty()) {
        proof[0][0] ^= 1;
        EXPECT_FALSE(verify_inclusion(i, n, l[i], proof, r)) << i << "/" << n;
      }
    }
    for (std::size_t m = 1; m < n; ++m) {
      auto proof = consistency_proof(l, m, n);
      EXPECT_TRUE(verify_consistency(m, n, proof, root(l, 0, m), r)) << m << "->" << n;
      Hash wrong = root(l, 0, m);
      wrong[5] ^= 0x40;
      EXPECT_FALSE(verify_consistency(m, n, proof, wrong, r)) << m << "->" << n;
    }
  }
}

}  // namespace
}  // namespace doelpoort::merkle
