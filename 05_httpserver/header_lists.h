// Internal to //05_httpserver: walking the comma-separated lists of header
// values (RFC 9110 §5.6.1), shared by the framing checks
// (request_framing.cc) and the keep-alive rules (keep_alive.cc).
#ifndef EDDY_05_HTTPSERVER_HEADER_LISTS_H_
#define EDDY_05_HTTPSERVER_HEADER_LISTS_H_

#include <string_view>

#include "04_httputil/chars.h"
#include "04_httputil/headers.h"

namespace eddy {

// Calls fn(element) for each non-empty element of the comma-separated lists
// in every value of `name`, with optional whitespace stripped ("TE, close"
// and a second "Connection: keep-alive" line give "TE", "close",
// "keep-alive"; empty elements are ignored).
template <typename Fn>
void for_each_list_element(const HTTPHeaders& headers, std::string_view name,
                           Fn&& fn) {
  for (std::string_view value : headers.get_list(name)) {
    while (!value.empty()) {
      size_t comma = value.find(',');
      std::string_view element = chars::strip_ows(value.substr(0, comma));
      if (!element.empty()) fn(element);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
}

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_HEADER_LISTS_H_
