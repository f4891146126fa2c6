#include "05_httpserver/date_cache.h"

#include "04_httputil/dates.h"

namespace eddy {

std::string_view DateCache::now() {
  std::time_t second = std::time(nullptr);
  if (second != second_) {
    second_ = second;
    value_ = format_timestamp(static_cast<double>(second));
  }
  return value_;
}

}  // namespace eddy
