#include "04_httputil/dates.h"

#include <cmath>

namespace eddy {
namespace {

void append_2(std::string& out, unsigned value) {
  out.push_back(static_cast<char>('0' + value / 10 % 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

std::string format_seconds(std::int64_t seconds) {
  // 0000-01-01 and 9999-12-31 23:59:59, in seconds since the epoch.
  constexpr std::int64_t kMin = -62167219200;
  constexpr std::int64_t kMax = 253402300799;
  if (seconds < kMin) seconds = kMin;
  if (seconds > kMax) seconds = kMax;
  using namespace std::chrono;
  const sys_seconds point{std::chrono::seconds(seconds)};
  const sys_days day = floor<days>(point);
  const year_month_day date(day);
  const hh_mm_ss<std::chrono::seconds> time(point - day);
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed",
                                              "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  std::string out;
  out.reserve(29);
  out += kWeekdays[weekday(day).c_encoding()];
  out += ", ";
  append_2(out, static_cast<unsigned>(date.day()));
  out.push_back(' ');
  out += kMonths[static_cast<unsigned>(date.month()) - 1];
  out.push_back(' ');
  const int year = static_cast<int>(date.year());
  append_2(out, static_cast<unsigned>(year / 100));
  append_2(out, static_cast<unsigned>(year % 100));
  out.push_back(' ');
  append_2(out, static_cast<unsigned>(time.hours().count()));
  out.push_back(':');
  append_2(out, static_cast<unsigned>(time.minutes().count()));
  out.push_back(':');
  append_2(out, static_cast<unsigned>(time.seconds().count()));
  out += " GMT";
  return out;
}

}  // namespace

std::string format_timestamp(std::chrono::system_clock::time_point when) {
  return format_seconds(std::chrono::floor<std::chrono::seconds>(when)
                            .time_since_epoch()
                            .count());
}

std::string format_timestamp(double seconds_since_epoch) {
  if (std::isnan(seconds_since_epoch)) seconds_since_epoch = 0;
  const double floored = std::floor(seconds_since_epoch);
  // Clamp before converting: a double beyond int64 is undefined to convert.
  if (floored < -1e15) return format_seconds(-62167219200);
  if (floored > 1e15) return format_seconds(253402300799);
  return format_seconds(static_cast<std::int64_t>(floored));
}

}  // namespace eddy
