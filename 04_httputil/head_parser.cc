// The head parser, production version: parse_request_start_line,
// parse_response_start_line, HTTPHeaders::parse and HTTPHeaders::parse_line
// (contracts in start_line.h and headers.h). This is lab 04's piece: under
// --config=lab04 the library builds lab/head_parser.cc, the student's version,
// instead of this file.
//
// Same grammar as the lab's version, two speed-ups on top (README.md, "The
// parser's design, and why it is linear"):
// - parse() copies the block into storage_ once and parses each line where it
//   lies (parse_stored_line), normalising the name in place, instead of
//   calling parse_line (one append per line) for every line;
// - one scan with the token table both finds the colon and checks the name.
#include <cstring>

#include "04_httputil/chars.h"
#include "04_httputil/headers.h"
#include "04_httputil/start_line.h"

namespace eddy {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void malformed(const char* what, std::string_view line) {
  throw HTTPInputError(std::string(what) + " " + quote_for_error(line));
}

}  // namespace

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

// DOC: headers-parse. One pass: memchr finds each line end, then
// parse_stored_line scans the line once. Every byte is looked at a constant
// number of times, so the whole block is parsed in linear time.
HTTPHeaders HTTPHeaders::parse(std::string_view text) {
  if (text.size() > kMaxStorage) throw HTTPInputError("Header block too large");
  HTTPHeaders headers;
  headers.storage_.assign(text);
  headers.fields_.reserve(16);
  const char* data = text.data();
  const std::size_t size = text.size();
  std::size_t pos = 0;
  while (pos < size) {
    const void* newline = std::memchr(data + pos, '\n', size - pos);
    std::size_t end = newline ? static_cast<const char*>(newline) - data : size;
    const std::size_t next = newline ? end + 1 : size;
    if (newline && end > pos && data[end - 1] == '\r') --end;
    if (end > pos) {
      if (chars::is_ows(data[pos])) {
        headers.continue_last_field(text.substr(pos, end - pos));
      } else {
        headers.parse_stored_line(pos, end);
      }
    }
    pos = next;
  }
  return headers;
}

void HTTPHeaders::parse_line(std::string_view line) {
  if (aliases(line)) {
    const std::string copy(line);
    parse_line(copy);
    return;
  }
  if (!line.empty() && line.back() == '\n') {
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }
  if (line.empty()) return;
  if (chars::is_ows(line.front())) {
    continue_last_field(line);
    return;
  }
  const std::size_t old_size = storage_.size();
  const std::size_t begin = append_storage(line);
  try {
    parse_stored_line(begin, begin + line.size());
  } catch (...) {
    storage_.resize(old_size);
    throw;
  }
}

// DOC: headers-parse-line. `name ":" OWS value OWS`. The name is scanned with
// the token table until the first non-token byte, which must be the colon:
// this both finds the colon and validates the name (RFC 9112 §5.1 forbids
// whitespace before the colon; Tornado would accept "Host : x").
void HTTPHeaders::parse_stored_line(std::size_t begin, std::size_t end) {
  char* data = storage_.data();
  const std::string_view line(data + begin, end - begin);
  std::size_t colon = begin;
  while (colon < end && chars::is_tchar(data[colon])) ++colon;
  if (colon == end) {
    throw HTTPInputError("No colon in header line " + quote_for_error(line));
  }
  if (data[colon] != ':') {
    if (chars::is_ows(data[colon])) {
      throw HTTPInputError("Whitespace before colon in header line " +
                           quote_for_error(line));
    }
    throw HTTPInputError("Invalid character in header name " +
                         quote_for_error(line));
  }
  if (colon == begin)
    throw HTTPInputError("Empty header name " + quote_for_error(line));
  std::size_t value_begin = colon + 1;
  std::size_t value_end = end;
  while (value_begin < value_end && chars::is_ows(data[value_begin]))
    ++value_begin;
  while (value_end > value_begin && chars::is_ows(data[value_end - 1]))
    --value_end;
  if (!chars::is_field_value(
          std::string_view(data + value_begin, value_end - value_begin))) {
    throw HTTPInputError("Invalid header value " + quote_for_error(line));
  }
  chars::normalize_name(data + begin, colon - begin);
  fields_.push_back(Span{static_cast<std::uint32_t>(begin),
                         static_cast<std::uint32_t>(colon - begin),
                         static_cast<std::uint32_t>(value_begin),
                         static_cast<std::uint32_t>(value_end - value_begin)});
}

// DOC: headers-obs-fold. RFC 9112 §5.2: a recipient may replace each obs-fold
// by SP. append_to_last_value keeps this linear (a value already at the end
// of storage_ is extended in place, not copied again).
void HTTPHeaders::continue_last_field(std::string_view line) {
  if (fields_.empty()) {
    throw HTTPInputError("First header line cannot start with whitespace " +
                         quote_for_error(line));
  }
  if (!chars::is_field_value(line)) {
    throw HTTPInputError("Invalid header value " + quote_for_error(line));
  }
  const std::string_view part = chars::strip_ows(line);
  if (part.empty()) return;
  // Folding onto an empty value ("Name:" then " text") must not produce a
  // leading space: values are always stripped (found by headers_fuzzer).
  if (fields_.back().value_size != 0) append_to_last_value(" ");
  append_to_last_value(part);
}

}  // namespace eddy
