// Exercise 04.2 (medium): parse HTTP dates back (If-Modified-Since,
// Last-Modified, Expires), the inverse of format_timestamp (dates.h).
//
// Contract (RFC 9110 §5.6.7: a recipient MUST accept all three formats)
// - IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"
//   asctime      "Sun Nov  6 08:49:37 1994"   (day padded with a space)
// - Exactly these shapes: the single spaces shown, two-digit fields with a
//   leading zero (asctime's day may be " 6" or "16"), four-digit years (two
//   in RFC 850), "GMT" in upper case where shown, English day and month
//   names with the capitalisation shown. The day name must be a real one;
//   it is not checked against the date.
// - RFC 850's two-digit year: 70-99 mean 1970-1999, 00-69 mean 2000-2069
//   (Python's email.utils rule).
// - Fields in range: day valid for its month (leap years per the Gregorian
//   calendar), hour 00-23, minute 00-59, second 00-59. A date that
//   std::chrono::system_clock::time_point cannot hold (with libstdc++'s
//   nanosecond ticks: before 1677-09-22 or after 2262-04-11) is rejected.
// - Returns the instant (UTC) or std::nullopt for anything else, including
//   leading or trailing spaces. Never throws; reads only inside `text`.
// Threads: pure; any thread. No locale, no gmtime/timegm/strptime.
#ifndef EDDY_04_HTTPUTIL_EXERCISES_HTTP_DATE_H_
#define EDDY_04_HTTPUTIL_EXERCISES_HTTP_DATE_H_

#include <chrono>
#include <optional>
#include <string_view>

namespace eddy::exercises {

std::optional<std::chrono::system_clock::time_point> parse_http_date(
    std::string_view text);

}  // namespace eddy::exercises

#endif  // EDDY_04_HTTPUTIL_EXERCISES_HTTP_DATE_H_
