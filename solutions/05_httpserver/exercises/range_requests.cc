// Reference solution of exercise 05.2
// (05_httpserver/exercises/range_requests.h).
#include "05_httpserver/exercises/range_requests.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace eddy::exercises {

namespace {

// A parsed "bytes=..." header before it meets the content's size.
struct ByteRange {
  std::optional<uint64_t> first;  // Absent: a suffix range.
  std::optional<uint64_t> last;   // Absent: open-ended (or the suffix form).
  uint64_t suffix = 0;
};

// Decimal digits only, no overflow; empty is not a number.
std::optional<uint64_t> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// One valid range, or nullopt (ignore the header).
std::optional<ByteRange> parse_range(std::string_view header) {
  constexpr std::string_view kPrefix = "bytes=";
  if (header.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view spec = header.substr(kPrefix.size());
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos ||
      spec.find(',') != std::string_view::npos)
    return std::nullopt;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  ByteRange range;
  if (a.empty()) {  // bytes=-n
    auto n = parse_number(b);
    if (!n) return std::nullopt;
    range.suffix = *n;
    return range;
  }
  range.first = parse_number(a);
  if (!range.first) return std::nullopt;
  if (!b.empty()) {
    range.last = parse_number(b);
    if (!range.last || *range.last < *range.first) return std::nullopt;
  }
  return range;
}

void respond(HTTPServerRequest& request, int code, const std::string& reason,
             HTTPHeaders headers, std::string_view body) {
  request.write_headers(ResponseStartLine{"HTTP/1.1", code, reason},
                        std::move(headers));
  if (!body.empty()) request.write(std::string(body));
  request.finish();
}

}  // namespace

void serve_content(HTTPServerRequest& request, std::string_view content,
                   std::string_view content_type) {
  HTTPHeaders headers{{"Accept-Ranges", "bytes"},
                      {"Content-Type", std::string(content_type)}};
  const uint64_t size = content.size();
  std::optional<ByteRange> range;
  if (request.method == "GET" && request.headers.contains("Range"))
    range = parse_range(request.headers.get("Range"));
  if (!range) {
    headers.set("Content-Length", std::to_string(size));
    return respond(request, 200, "OK", std::move(headers), content);
  }
  uint64_t first, last;
  if (!range->first) {  // Suffix.
    if (range->suffix == 0 || size == 0)
      first = size, last = 0;
    else
      first = size - std::min(range->suffix, size), last = size - 1;
  } else {
    first = *range->first;
    last = range->last ? std::min(*range->last, size == 0 ? 0 : size - 1)
                       : (size == 0 ? 0 : size - 1);
  }
  if (first >= size) {
    headers.set("Content-Range", "bytes */" + std::to_string(size));
    headers.set("Content-Length", "0");
    return respond(request, 416, "Range Not Satisfiable", std::move(headers),
                   "");
  }
  headers.set("Content-Range", "bytes " + std::to_string(first) + "-" +
                                   std::to_string(last) + "/" +
                                   std::to_string(size));
  headers.set("Content-Length", std::to_string(last - first + 1));
  respond(request, 206, "Partial Content", std::move(headers),
          content.substr(first, last - first + 1));
}

}  // namespace eddy::exercises
