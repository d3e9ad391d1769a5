#include "bsn.h"

#include <gtest/gtest.h>

namespace doelpoort::sim {
namespace {

TEST(ElevenProef, AcceptsNumbersWhoseWeightedSumIsAMultipleOfEleven) {
  EXPECT_TRUE(is_valid_bsn("111222333"));  // 9+8+7+12+10+8+9+6-3 = 66
  EXPECT_TRUE(is_valid_bsn("123456782"));  // 9+16+21+24+25+24+21+16-2 = 154
}

TEST(ElevenProef, RejectsAWrongCheckDigit) {
  EXPECT_FALSE(is_valid_bsn("123456789"));
  EXPECT_FALSE(is_valid_bsn("111222334"));
}

TEST(ElevenProef, RejectsAnythingButNineDigits) {
  EXPECT_FALSE(is_valid_bsn(""));
  EXPECT_FALSE(is_valid_bsn("11122233"));
  EXPECT_FALSE(is_valid_bsn("1112223330"));
  EXPECT_FALSE(is_valid_bsn("11122233a"));
  EXPECT_FALSE(is_valid_bsn(" 11122233"));
}

TEST(ElevenProef, RejectsAllZeros) { EXPECT_FALSE(is_valid_bsn("000000000")); }

TEST(ElevenProef, CompletingEightDigitsGivesAValidBsnOrNothing) {
  int completed = 0;
  for (std::uint32_t first = 10000000; first < 10002000; ++first) {
    const auto bsn = complete_bsn(first);
    if (!bsn) continue;
    ++completed;
    EXPECT_TRUE(is_valid_bsn(*bsn)) << *bsn;
    EXPECT_EQ(bsn->substr(0, 8), std::to_string(first));
  }
  EXPECT_GT(completed, 1700);  // about 10 in 11 have a check digit
}

}  // namespace
}  // namespace doelpoort::sim
