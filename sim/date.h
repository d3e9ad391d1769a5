// Calendar dates as SuwiML writes them (sml:Datum, "yyyymmdd").
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace doelpoort::sim {

struct Date {
  int year = 0;
  int month = 0;  ///< 1..12
  int day = 0;    ///< 1..days_in_month

  auto operator<=>(const Date&) const = default;

  /// "yyyymmdd", e.g. "19850312".
  std::string suwi() const;
  /// The same day `months` later (or earlier), clamped to the end of a shorter month.
  Date plus_months(int months) const;
  /// The first and last day of this date's month.
  Date month_start() const { return {year, month, 1}; }
  Date month_end() const;
  /// The next calendar day.
  Date next_day() const;
};

int days_in_month(int year, int month);

/// Parses "yyyymmdd"; nullopt unless it is a real calendar date.
std::optional<Date> parse_suwi_date(std::string_view text);

/// The population's "today": every age, employment and income month is relative to it, so a seed names
/// the same population whatever the clock says.
inline constexpr Date kPeildatum{2025, 1, 1};

}  // namespace doelpoort::sim
