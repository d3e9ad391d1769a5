#include "date.h"

#include <cstdio>

namespace doelpoort::sim {

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::string Date::suwi() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", year, month, day);
  return buf;
}

Date Date::plus_months(int months) const {
  const int index = year * 12 + (month - 1) + months;
  Date d{index / 12, index % 12 + 1, day};
  if (d.day > days_in_month(d.year, d.month)) d.day = days_in_month(d.year, d.month);
  return d;
}

Date Date::month_end() const { return {year, month, days_in_month(year, month)}; }

Date Date::next_day() const {
  if (day < days_in_month(year, month)) return {year, month, day + 1};
  return month == 12 ? Date{year + 1, 1, 1} : Date{year, month + 1, 1};
}

std::optional<Date> parse_suwi_date(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  int value[3] = {0, 0, 0};
  const int widths[3] = {4, 2, 2};
  std::size_t pos = 0;
  for (int part = 0; part < 3; ++part) {
    for (int i = 0; i < widths[part]; ++i, ++pos) {
      const char c = text[pos];
      if (c < '0' || c > '9') return std::nullopt;
      value[part] = value[part] * 10 + (c - '0');
    }
  }
  const Date d{value[0], value[1], value[2]};
  if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
    return std::nullopt;
  return d;
}

}  // namespace doelpoort::sim
