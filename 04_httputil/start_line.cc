#include "04_httputil/start_line.h"

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
