// Lab 04, reference solution: the head parser written plainly, one line at a
// time, as Tornado 2.4.1 does it (HTTPHeaders.parse calls parse_line on each
// line). Contracts in 04_httputil/start_line.h and 04_httputil/headers.h.
#include <algorithm>

#include "04_httputil/chars.h"
#include "04_httputil/headers.h"
#include "04_httputil/start_line.h"

namespace eddy {
namespace {

constexpr std::size_t kNone = std::string_view::npos;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Throws HTTPInputError("<what> '<line>'") unless `ok`.
void require(bool ok, const char* what, std::string_view line) {
  if (!ok)
    throw HTTPInputError(std::string(what) + " " + quote_for_error(line));
}

// The name and value of a field line `name ":" OWS value OWS`, checked.
struct FieldLine {
  std::string_view name;
  std::string_view value;
};

FieldLine split_field_line(std::string_view line) {
  // The name runs to the first non-token byte, which must be the colon.
  std::size_t colon = 0;
  while (colon < line.size() && chars::is_tchar(line[colon])) ++colon;
  require(colon < line.size(), "No colon in header line", line);
  require(!chars::is_ows(line[colon]), "Whitespace before colon in header line",
          line);
  require(line[colon] == ':', "Invalid character in header name", line);
  require(colon > 0, "Empty header name", line);
  const std::string_view value = chars::strip_ows(line.substr(colon + 1));
  require(chars::is_field_value(value), "Invalid header value", line);
  return FieldLine{line.substr(0, colon), value};
}

}  // namespace

RequestStartLine parse_request_start_line(std::string_view line) {
  const std::size_t first_sp = line.find(' ');
  const std::size_t second_sp =
      first_sp == kNone ? kNone : line.find(' ', first_sp + 1);
  require(second_sp != kNone, "Malformed HTTP request line", line);
  const std::string_view method = line.substr(0, first_sp);
  const std::string_view target =
      line.substr(first_sp + 1, second_sp - first_sp - 1);
  const std::string_view version = line.substr(second_sp + 1);
  require(chars::is_token(method), "Malformed HTTP method in request line",
          line);
  require(!target.empty() &&
              std::all_of(target.begin(), target.end(), chars::is_target_char),
          "Malformed request-target in request line", line);
  require(is_http_version(version),
          "Malformed HTTP version in HTTP Request-Line", line);
  return RequestStartLine{std::string(method), std::string(target),
                          std::string(version)};
}

ResponseStartLine parse_response_start_line(std::string_view line) {
  const std::size_t sp = line.find(' ');
  const std::string_view version = line.substr(0, sp);
  // After the version: 3DIGIT SP reason-phrase.
  const std::string_view rest =
      sp == kNone ? std::string_view() : line.substr(sp + 1);
  require(is_http_version(version) && rest.size() >= 4 &&
              std::all_of(rest.begin(), rest.begin() + 3, is_digit) &&
              rest[3] == ' ',
          "Error parsing response start line", line);
  const int code =
      (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  require(code >= 100, "Invalid status code in response start line", line);
  const std::string_view reason = rest.substr(4);
  require(chars::is_field_value(reason),
          "Control character in response reason phrase", line);
  return ResponseStartLine{std::string(version), code, std::string(reason)};
}

void HTTPHeaders::parse_line(std::string_view line) {
  if (line.ends_with('\n')) {
    line.remove_suffix(1);
    if (line.ends_with('\r')) line.remove_suffix(1);
  }
  if (line.empty()) return;
  if (chars::is_ows(line.front())) {
    require(!empty(), "First header line cannot start with whitespace", line);
    require(chars::is_field_value(line), "Invalid header value", line);
    const std::string_view part = chars::strip_ows(line);
    if (part.empty()) return;
    if (!field(size() - 1).value.empty()) append_to_last_value(" ");
    append_to_last_value(part);
    return;
  }
  const FieldLine field_line = split_field_line(line);
  add(field_line.name, field_line.value);
}

HTTPHeaders HTTPHeaders::parse(std::string_view text) {
  HTTPHeaders headers;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::size_t end =
        newline == std::string_view::npos ? text.size() : newline + 1;
    headers.parse_line(text.substr(0, end));
    text.remove_prefix(end);
  }
  return headers;
}

}  // namespace eddy
