// DateCache: the value of the Date header (IMF-fixdate, RFC 9110 §5.6.7),
// formatted at most once per second instead of once per response.
// Threads: one loop thread (each server owns one).
#ifndef EDDY_05_HTTPSERVER_DATE_CACHE_H_
#define EDDY_05_HTTPSERVER_DATE_CACHE_H_

#include <ctime>
#include <string>
#include <string_view>

namespace eddy {

class DateCache {
 public:
  // "Sun, 29 Nov 2026 22:33:08 GMT" for the current second.
  std::string_view now();

 private:
  std::time_t second_ = -1;
  std::string value_;
};

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_DATE_CACHE_H_
