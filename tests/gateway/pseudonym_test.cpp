#include "pseudonym.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>
#include <vector>

#include "log.h"
#include "test_dir.h"

namespace doelpoort {
namespace {

using testing::TestDir;

TEST(Pseudonymiser, SameBsnAndKeyGiveTheSamePseudonymAndNoBsn) {
  std::array<unsigned char, 32> key{};
  key.fill(7);
  Pseudonymiser p(key);
  const std::string a = p.pseudonym("111222333");
  EXPECT_EQ(a, p.pseudonym("111222333"));
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find("111222333"), std::string::npos);
  EXPECT_NE(a, p.pseudonym("123456782"));
}

// Pseudonyms must not change between versions: the log is searched by recomputing them. The expected
// value is from another implementation: printf 123456782 | openssl dgst -sha256 -mac HMAC -macopt hexkey:0001…1f
TEST(Pseudonymiser, IsHmacSha256OfTheBsnUnderTheKey) {
  std::array<unsigned char, 32> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i);
  const std::string expected = "8e4c078580cfe222fd12ced43ae58d770a18bb5092337edc9e9ba06050b7ba02";
  const Pseudonymiser p(key);
  EXPECT_EQ(p.pseudonym("123456782"), expected);
  const Pseudonymiser copy = p;  // copies share the keyed context
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        if (copy.pseudonym("123456782") != expected || p.pseudonym("111222333") == expected) ++wrong;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Pseudonymiser, AnotherKeyGivesAnotherPseudonym) {
  std::array<unsigned char, 32> k1{}, k2{};
  k2[0] = 1;
  EXPECT_NE(Pseudonymiser(k1).pseudonym("111222333"), Pseudonymiser(k2).pseudonym("111222333"));
}

TEST(Pseudonymiser, CreatesAPrivateKeyFileOnceAndReadsItBack) {
  TestDir dir;
  std::string error;
  auto a = Pseudonymiser::open(dir.file("subject.key"), true, error);
  ASSERT_TRUE(a) << error;
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("subject.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = Pseudonymiser::open(dir.file("subject.key"), true, error);
  ASSERT_TRUE(b) << error;
  EXPECT_EQ(a->pseudonym("111222333"), b->pseudonym("111222333"));
}

TEST(Pseudonymiser, RefusesAMissingKeyWhenNotAskedToCreateOne) {
  TestDir dir;
  std::string error;
  EXPECT_FALSE(Pseudonymiser::open(dir.file("absent.key"), false, error));
  EXPECT_FALSE(error.empty());
}

TEST(Pseudonymiser, RefusesAMalformedKey) {
  TestDir dir;
  std::string error;
  EXPECT_FALSE(Pseudonymiser::open(dir.write("bad.key", "not-hex\n"), false, error));
  EXPECT_NE(error.find("64 hexadecimal"), std::string::npos);
}

TEST(Log, AnonymisesClientAddresses) {
  EXPECT_EQ(log::anonymise_ip("192.168.17.23"), "192.168.0.0");
  EXPECT_EQ(log::anonymise_ip("2001:db8:1:2:3:4:5:6"), "2001:db8:1::");
  EXPECT_EQ(log::anonymise_ip("not an address"), "");
}

}  // namespace
}  // namespace doelpoort
