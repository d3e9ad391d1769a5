#include "date.h"

#include <gtest/gtest.h>

namespace doelpoort::sim {
namespace {

TEST(Date, WritesSuwiMlDatum) { EXPECT_EQ((Date{1985, 3, 7}).suwi(), "19850307"); }

TEST(Date, ParsesOnlyRealCalendarDates) {
  EXPECT_EQ(parse_suwi_date("20240229"), (Date{2024, 2, 29}));
  EXPECT_FALSE(parse_suwi_date("20230229"));
  EXPECT_FALSE(parse_suwi_date("20241301"));
  EXPECT_FALSE(parse_suwi_date("2024011"));
  EXPECT_FALSE(parse_suwi_date("2024-1-01"));
  EXPECT_FALSE(parse_suwi_date("00000000"));
}

TEST(Date, AddingMonthsClampsToTheEndOfAShorterMonth) {
  EXPECT_EQ((Date{2024, 1, 31}).plus_months(1), (Date{2024, 2, 29}));
  EXPECT_EQ((Date{2024, 11, 15}).plus_months(3), (Date{2025, 2, 15}));
  EXPECT_EQ((Date{2024, 1, 15}).plus_months(-1), (Date{2023, 12, 15}));
}

TEST(Date, NextDayCrossesMonthAndYearEnds) {
  EXPECT_EQ((Date{2024, 2, 28}).next_day(), (Date{2024, 2, 29}));
  EXPECT_EQ((Date{2024, 12, 31}).next_day(), (Date{2025, 1, 1}));
}

}  // namespace
}  // namespace doelpoort::sim
