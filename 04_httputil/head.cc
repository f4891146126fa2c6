#include "04_httputil/head.h"

#include <cstring>

namespace eddy {

HeadParts split_head(std::string_view head) {
  // Skip empty lines (CRLF or LF) before the start line.
  std::size_t pos = 0;
  while (pos < head.size()) {
    if (head[pos] == '\n') {
      ++pos;
    } else if (head[pos] == '\r' && pos + 1 < head.size() &&
               head[pos + 1] == '\n') {
      pos += 2;
    } else {
      break;
    }
  }
  head.remove_prefix(pos);
  const auto* newline =
      static_cast<const char*>(std::memchr(head.data(), '\n', head.size()));
  if (newline == nullptr) return HeadParts{head, {}};
  std::size_t end = newline - head.data();
  const std::size_t next = end + 1;
  if (end > 0 && head[end - 1] == '\r') --end;
  return HeadParts{head.substr(0, end), head.substr(next)};
}

RequestHead parse_request_head(std::string_view head) {
  const HeadParts parts = split_head(head);
  if (parts.start_line.empty()) throw HTTPInputError("Empty request head");
  RequestHead result{parse_request_start_line(parts.start_line),
                     HTTPHeaders::parse(parts.header_block)};
  return result;
}

ResponseHead parse_response_head(std::string_view head) {
  const HeadParts parts = split_head(head);
  if (parts.start_line.empty()) throw HTTPInputError("Empty response head");
  ResponseHead result{parse_response_start_line(parts.start_line),
                      HTTPHeaders::parse(parts.header_block)};
  return result;
}

}  // namespace eddy
