#include "05_httpserver/request_framing.h"

#include <limits>
#include <vector>

#include "04_httputil/chars.h"

namespace eddy {
namespace {

using chars::iequals;

// Calls fn(element) for each non-empty element of the comma-separated lists
// in every value of `name` (RFC 9110 §5.6.1: empty elements are ignored).
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

RequestFraming fail(int status, const char* reason) {
  RequestFraming framing;
  framing.error_status = status;
  framing.error_reason = reason;
  return framing;
}

// "HTTP/1.1" → major 1, minor 1. The start-line parser (04) already checked
// the shape HTTP/DIGIT.DIGIT.
int major_version(std::string_view version) {
  return version.size() >= 6 ? version[5] - '0' : -1;
}
bool is_http_1_0(std::string_view version) { return version == "HTTP/1.0"; }

// Parses 1*DIGIT; returns false for anything else. Saturates at the maximum
// on overflow (the caller then answers 413, as for any length over the limit).
bool parse_content_length(std::string_view text, uint64_t& value) {
  if (text.empty()) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      value = std::numeric_limits<uint64_t>::max();
    } else {
      value = value * 10 + digit;
    }
  }
  return true;
}

// Fills framing.body for Transfer-Encoding; returns false (with the error
// set) when the codings are unacceptable.
bool check_transfer_encoding(const HTTPHeaders& headers,
                             RequestFraming& framing) {
  std::vector<std::string_view> codings;
  for_each_list_element(
      headers, "Transfer-Encoding",
      [&](std::string_view coding) { codings.push_back(coding); });
  if (codings.empty()) {
    framing = fail(400, "empty Transfer-Encoding");
    return false;
  }
  if (!iequals(codings.back(), "chunked")) {
    framing = fail(400, "the final transfer coding is not chunked");
    return false;
  }
  for (size_t i = 0; i + 1 < codings.size(); ++i) {
    if (iequals(codings[i], "chunked")) {
      framing = fail(400, "chunked applied more than once");
      return false;
    }
    framing = fail(501, "transfer coding not implemented");
    return false;
  }
  framing.body = BodyKind::kChunked;
  return true;
}

}  // namespace

bool header_has_token(const HTTPHeaders& headers, std::string_view name,
                      std::string_view token) {
  bool found = false;
  for_each_list_element(headers, name, [&](std::string_view element) {
    found = found || iequals(element, token);
  });
  return found;
}

// DOC: framing-decision. (README.md, "The life of a request".)
RequestFraming check_request_framing(std::string_view version,
                                     const HTTPHeaders& headers,
                                     uint64_t max_body_size) {
  if (major_version(version) != 1)
    return fail(505, "HTTP version not supported");
  bool http_1_0 = is_http_1_0(version);
  size_t hosts = headers.count("Host");
  if (hosts > 1) return fail(400, "more than one Host header");
  if (hosts == 0 && !http_1_0)
    return fail(400, "HTTP/1.1 request without Host");

  RequestFraming framing;
  bool has_transfer_encoding = headers.contains("Transfer-Encoding");
  bool has_content_length = headers.contains("Content-Length");
  if (has_transfer_encoding) {
    if (http_1_0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (has_content_length)
      return fail(400, "both Content-Length and Transfer-Encoding");
    if (!check_transfer_encoding(headers, framing)) return framing;
  } else if (has_content_length) {
    bool seen = false;
    bool valid = true;
    uint64_t length = 0;
    for (std::string_view value : headers.get_list("Content-Length")) {
      // A list ("42, 42") is allowed when every element is the same number.
      std::string_view rest = value;
      do {
        size_t comma = rest.find(',');
        uint64_t element;
        if (!parse_content_length(chars::strip_ows(rest.substr(0, comma)),
                                  element) ||
            (seen && element != length)) {
          valid = false;
        }
        length = element;
        seen = true;
        rest = comma == std::string_view::npos ? std::string_view()
                                               : rest.substr(comma + 1);
      } while (valid && !rest.empty());
      if (!valid) break;
    }
    if (!valid) return fail(400, "invalid or conflicting Content-Length");
    if (length > max_body_size)
      return fail(413, "Content-Length over max_body_size");
    if (length > 0) {
      framing.body = BodyKind::kContentLength;
      framing.content_length = length;
    }
  }
  if (!http_1_0 && framing.body != BodyKind::kNone) {
    framing.expect_continue =
        header_has_token(headers, "Expect", "100-continue");
  }
  return framing;
}

bool request_allows_keep_alive(std::string_view version,
                               const HTTPHeaders& headers) {
  if (header_has_token(headers, "Connection", "close")) return false;
  if (is_http_1_0(version))
    return header_has_token(headers, "Connection", "keep-alive");
  return true;
}

}  // namespace eddy
