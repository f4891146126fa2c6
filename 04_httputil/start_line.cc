#include "04_httputil/start_line.h"

#include <cstring>

#include "04_httputil/chars.h"

namespace eddy {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void malformed(const char* what, std::string_view line) {
  throw HTTPInputError(std::string(what) + " " + quote_for_error(line));
}

}  // namespace

bool is_http_version(std::string_view version) {
  return version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
         is_digit(version[5]) && version[6] == '.' && is_digit(version[7]);
}

// DOC: request-line. Two memchr calls find the two separators; each part is
// then checked with the character tables. No part may be empty, so a double
// SP or a leading/trailing SP always fails one of the checks.
RequestStartLine parse_request_start_line(std::string_view line) {
  const char* data = line.data();
  const auto* first_sp =
      static_cast<const char*>(std::memchr(data, ' ', line.size()));
  if (first_sp == nullptr) malformed("Malformed HTTP request line", line);
  const std::size_t method_end = first_sp - data;
  const auto* second_sp = static_cast<const char*>(
      std::memchr(first_sp + 1, ' ', line.size() - method_end - 1));
  if (second_sp == nullptr) malformed("Malformed HTTP request line", line);
  const std::size_t target_end = second_sp - data;

  const std::string_view method = line.substr(0, method_end);
  const std::string_view target =
      line.substr(method_end + 1, target_end - method_end - 1);
  const std::string_view version = line.substr(target_end + 1);
  if (!chars::is_token(method))
    malformed("Malformed HTTP method in request line", line);
  if (target.empty()) malformed("Empty request-target in request line", line);
  for (char c : target) {
    if (!chars::is_target_char(c))
      malformed("Malformed request-target in request line", line);
  }
  if (!is_http_version(version)) {
    malformed("Malformed HTTP version in HTTP Request-Line", line);
  }
  return RequestStartLine{std::string(method), std::string(target),
                          std::string(version)};
}

ResponseStartLine parse_response_start_line(std::string_view line) {
  // "HTTP/1.1 200 " is 13 bytes: version, SP, three digits, SP.
  if (line.size() < 13 || !is_http_version(line.substr(0, 8)) ||
      line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) ||
      !is_digit(line[11]) || line[12] != ' ') {
    malformed("Error parsing response start line", line);
  }
  const std::string_view reason = line.substr(13);
  if (!chars::is_field_value(reason)) {
    malformed("Control character in response reason phrase", line);
  }
  const int code =
      (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (code < 100) malformed("Invalid status code in response start line", line);
  return ResponseStartLine{std::string(line.substr(0, 8)), code,
                           std::string(reason)};
}

std::string to_string(const RequestStartLine& start_line) {
  return start_line.method + " " + start_line.path + " " + start_line.version;
}

std::string to_string(const ResponseStartLine& start_line) {
  return start_line.version + " " + std::to_string(start_line.code) + " " +
         start_line.reason;
}

}  // namespace eddy
