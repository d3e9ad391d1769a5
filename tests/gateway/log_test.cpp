// The operational log: client addresses anonymised, BSNs masked, one JSON object with a level per line.
#include "log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace doelpoort {
namespace {

TEST(AnonymiseIpTest, ZeroesTheLastTwoOctetsOfAnIpv4Address) {
  EXPECT_EQ(log::anonymise_ip("10.1.2.3"), "10.1.0.0");
  EXPECT_EQ(log::anonymise_ip("192.168.255.254"), "192.168.0.0");
  EXPECT_EQ(log::anonymise_ip("127.0.0.1"), "127.0.0.0");
}

TEST(AnonymiseIpTest, KeepsOnlyTheFirst48BitsOfAnIpv6Address) {
  EXPECT_EQ(log::anonymise_ip("2001:db8:1:2:3:4:5:6"), "2001:db8:1::");
  EXPECT_EQ(log::anonymise_ip("2001:db8:abcd:12::1"), "2001:db8:abcd::");
  EXPECT_EQ(log::anonymise_ip("::1"), "::");
}

TEST(AnonymiseIpTest, TreatsAnIpv4MappedAddressAsIpv4) {
  EXPECT_EQ(log::anonymise_ip("::ffff:10.1.2.3"), "10.1.0.0");
}

TEST(AnonymiseIpTest, GivesNothingForWhatIsNotAnAddress) {
  EXPECT_EQ(log::anonymise_ip(""), "");
  EXPECT_EQ(log::anonymise_ip("host.example"), "");
  EXPECT_EQ(log::anonymise_ip("10.1.2"), "");
}

TEST(MaskBsnsTest, MasksAStandaloneNineDigitRunThatPassesThe11Proef) {
  EXPECT_EQ(log::mask_bsns("111222333"), "*********");
  EXPECT_EQ(log::mask_bsns("Geen persoon met BSN 123456782 gevonden"), "Geen persoon met BSN ********* gevonden");
  EXPECT_EQ(log::mask_bsns("bsn=111222333;"), "bsn=*********;");
}

TEST(MaskBsnsTest, LeavesOtherNumbersIdsAndHashesAlone) {
  EXPECT_EQ(log::mask_bsns("123456789"), "123456789");        // fails the 11-proef
  EXPECT_EQ(log::mask_bsns("1112223330"), "1112223330");      // ten digits
  EXPECT_EQ(log::mask_bsns("a111222333"), "a111222333");      // part of an id
  EXPECT_EQ(log::mask_bsns("111222333f"), "111222333f");      // part of a hash
  EXPECT_EQ(log::mask_bsns("took 4096 bytes"), "took 4096 bytes");
}

// Runs `fn` with stderr redirected to a file and returns what it wrote.
template <typename Fn>
std::string captured_stderr(Fn fn) {
  char path[] = "/tmp/dp-log-test-XXXXXX";
  const int fd = ::mkstemp(path);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(fd, STDERR_FILENO);
  fn();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(fd);
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::remove(path);
  return s.str();
}

TEST(LogTest, WritesOneJsonObjectPerLineWithLevelAndEvent) {
  const std::string out = captured_stderr([] {
    log::warn("something", {{"inquiry_id", "i-1"}, {"trace_id", "0af7651916cd43dd8448eb211c80319c"}});
    log::error("other");
  });
  std::istringstream lines(out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto first = nlohmann::json::parse(line);
  EXPECT_EQ(first["level"], "warn");
  EXPECT_EQ(first["event"], "something");
  EXPECT_EQ(first["trace_id"], "0af7651916cd43dd8448eb211c80319c");
  EXPECT_TRUE(first["time"].is_string());
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(nlohmann::json::parse(line)["level"], "error");
  EXPECT_FALSE(std::getline(lines, line));
}

TEST(LogTest, NeverWritesABsnEvenWhenACallerPassesOne) {
  const std::string out = captured_stderr([] {
    log::info("inquiry_refused", {{"activity", "111222333"},
                                  {"reason", "registry said: BSN 123456782 onbekend"},
                                  {"nested", {{"list", {"123456782"}}}}});
  });
  EXPECT_EQ(out.find("111222333"), std::string::npos) << out;
  EXPECT_EQ(out.find("123456782"), std::string::npos) << out;
  EXPECT_NE(out.find("registry said: BSN ********* onbekend"), std::string::npos) << out;
}

}  // namespace
}  // namespace doelpoort
