#include "pseudonym.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

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
