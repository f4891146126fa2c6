// HTTP dates: Tornado's format_timestamp (tornado.httputil), used for the
// Date, Expires and Last-Modified headers.
//
// Contract
// - Returns the IMF-fixdate of RFC 9110 §5.6.7, always in GMT:
//   "Sun, 06 Nov 1994 08:49:37 GMT". Fractions of a second are dropped
//   (rounded toward the past). Years outside 0..9999 are clamped to that
//   range's ends, since the format has four digits.
// - Never throws, never allocates more than the result, uses no locale and
//   no global state (no gmtime/strftime), so any thread may call it.
#ifndef EDDY_04_HTTPUTIL_DATES_H_
#define EDDY_04_HTTPUTIL_DATES_H_

#include <chrono>
#include <string>

namespace eddy {

std::string format_timestamp(std::chrono::system_clock::time_point when);
// Seconds since the Unix epoch, as Tornado's float argument.
std::string format_timestamp(double seconds_since_epoch);

}  // namespace eddy

#endif  // EDDY_04_HTTPUTIL_DATES_H_
