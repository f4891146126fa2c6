// The first line of an HTTP/1.x message: Tornado's RequestStartLine,
// ResponseStartLine, parse_request_start_line and parse_response_start_line.
//
// Contract
// - The parsers take one line without its CRLF, copy what they return, and
//   throw HTTPInputError (errors.h) for anything the RFC 9112 grammar does
//   not allow; the message quotes the offending text, truncated to 64 bytes.
// - Stricter than Tornado, as RFC 9112 §3 asks of a server:
//     request-line = method SP request-target SP HTTP-version
//     method       = token                (classic Tornado: anything but SP)
//     request-target: 1*(VCHAR / obs-text) (no SP, no control characters)
//     HTTP-version = "HTTP/" DIGIT "." DIGIT
//     status-line  = HTTP-version SP 3DIGIT SP [ reason-phrase ]
//     reason-phrase: *(HTAB / SP / VCHAR / obs-text)
//   Exactly one SP between the parts; any other whitespace is an error.
//   HTTP/2.0 or HTTP/3.0 parse fine: whether to answer 505 is chapter 05's
//   decision, not the parser's.
// - Thread-safety: pure functions; any thread may call them.
#ifndef EDDY_04_HTTPUTIL_START_LINE_H_
#define EDDY_04_HTTPUTIL_START_LINE_H_

#include <string>
#include <string_view>

#include "04_httputil/errors.h"

namespace eddy {

// Tornado's RequestStartLine namedtuple: "GET /foo?a=1 HTTP/1.1".
struct RequestStartLine {
  std::string method;   // "GET"
  std::string path;     // the request-target, "/foo?a=1", not decoded
  std::string version;  // "HTTP/1.1"
  friend bool operator==(const RequestStartLine&,
                         const RequestStartLine&) = default;
};

// Tornado's ResponseStartLine namedtuple: "HTTP/1.1 404 Not Found".
struct ResponseStartLine {
  std::string version;  // "HTTP/1.1"
  int code = 0;         // 100..999
  std::string reason;   // "Not Found"; may be empty
  friend bool operator==(const ResponseStartLine&,
                         const ResponseStartLine&) = default;
};

// Tornado's parse_request_start_line (4.0+; in 2.4.1 the same lines open
// HTTPConnection._on_headers: `method, uri, version = start_line.split(" ")`
// and a check of the version), to the request-line grammar above: "GET /foo
// HTTP/1.1" -> {"GET", "/foo", "HTTP/1.1"}. Throws HTTPInputError, quoting the
// line, for a wrong number of SPs, a method that is not a token, an empty
// request-target or one with a byte that is not chars::is_target_char, or a
// version that is not is_http_version (that message says "Malformed HTTP
// version", as Tornado's).
RequestStartLine parse_request_start_line(std::string_view line);

// Tornado's parse_response_start_line (4.0+; the client side, which 2.4.1's
// simple_httpclient parsed with a regular expression), to the status-line
// grammar above: "HTTP/1.1 404 Not Found" -> {"HTTP/1.1", 404, "Not Found"}.
// The reason may be empty ("HTTP/1.1 204 ") and is kept as it is, spaces
// included; the SP before it is not optional. Throws HTTPInputError, quoting
// the line, for a bad version, anything but SP, three digits and SP after
// it, a code below 100, or a control character other than HTAB in the
// reason (chars::is_field_value).
ResponseStartLine parse_response_start_line(std::string_view line);

// The two parsers above are lab 04's piece, with HTTPHeaders::parse: they are
// defined in head_parser.cc (production) or lab/head_parser.cc
// (--config=lab04).

// "GET / HTTP/1.1" / "HTTP/1.1 200 OK": the line a writer sends, without CRLF.
std::string to_string(const RequestStartLine& start_line);
std::string to_string(const ResponseStartLine& start_line);

// True for "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3). Inline: the request-line
// parser calls it on every request.
inline bool is_http_version(std::string_view version) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  return version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
         is_digit(version[5]) && version[6] == '.' && is_digit(version[7]);
}

}  // namespace eddy

#endif  // EDDY_04_HTTPUTIL_START_LINE_H_
