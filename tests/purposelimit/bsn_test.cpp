#include "bsn.h"

#include <gtest/gtest.h>

namespace doelpoort {

TEST(Bsn, AcceptsNumberThatPassesElevenProef) {
  EXPECT_TRUE(is_valid_bsn("111222333"));  // 9+8+7+12+10+8+9+6-3 = 66 = 6*11
  EXPECT_TRUE(is_valid_bsn("123456782"));
}

TEST(Bsn, RejectsNumberThatFailsElevenProef) {
  EXPECT_FALSE(is_valid_bsn("111222334"));
  EXPECT_FALSE(is_valid_bsn("123456789"));
}

TEST(Bsn, RejectsWrongLengthAndNonDigits) {
  EXPECT_FALSE(is_valid_bsn(""));
  EXPECT_FALSE(is_valid_bsn("12345678"));
  EXPECT_FALSE(is_valid_bsn("1234567820"));
  EXPECT_FALSE(is_valid_bsn("12345678a"));
  EXPECT_FALSE(is_valid_bsn(" 11122233"));
}

TEST(Bsn, RejectsAllZeros) { EXPECT_FALSE(is_valid_bsn("000000000")); }

}  // namespace doelpoort
