// Request framing: the RFC 9112 rules that decide, from a request's start
// line and headers alone, whether the request is acceptable, how its body is
// delimited, and whether the connection may stay open afterwards; and the
// syntax of a chunk-size line. Pure functions, so the rules that stop
// request smuggling are tested without sockets.
//
// Stricter than Tornado 6.2 (which reads no body for a Transfer-Encoding
// other than exactly "chunked", so such a body is parsed as the next
// request): see README.md, "Bad input: where we are stricter than Tornado".
#ifndef EDDY_05_HTTPSERVER_REQUEST_FRAMING_H_
#define EDDY_05_HTTPSERVER_REQUEST_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "04_httputil/headers.h"

namespace eddy {

enum class BodyKind { kNone, kContentLength, kChunked };

struct RequestFraming {
  // 0 when the request is acceptable; otherwise the status to answer with
  // before closing: 400, 413, 501 or 505.
  int error_status = 0;
  // For the log; never sent to the client. A string literal, so the struct
  // is cheap to return and copy.
  const char* error_reason = "";
  BodyKind body = BodyKind::kNone;
  uint64_t content_length = 0;   // When body == kContentLength.
  bool expect_continue = false;  // HTTP/1.1 "Expect: 100-continue".
};

// Checks, in this order: the HTTP major version (505 unless 1); Host (HTTP/1.1
// needs exactly one, HTTP/1.0 at most one; 400); Transfer-Encoding (400 on
// HTTP/1.0, with Content-Length, when the final coding is not chunked or
// chunked appears twice; 501 for another coding before chunked);
// Content-Length (every value 1*DIGIT, repeats equal; 400; over
// max_body_size → 413).
RequestFraming check_request_framing(std::string_view version,
                                     const HTTPHeaders& headers,
                                     uint64_t max_body_size);

// ---- Lab 05 (lab/README.md): the keep-alive rules, in keep_alive.cc --------

// True when the comma-separated header values of `name` contain `token`,
// compared case-insensitively: header_has_token(headers, "Connection",
// "close") is true for "Connection: TE, Close". Elements are those of
// for_each_list_element (header_lists.h). Never throws.
bool header_has_token(const HTTPHeaders& headers, std::string_view name,
                      std::string_view token);

// Whether the client allows the connection to stay open after this request,
// as Tornado 2.4.1's HTTPConnection._finish_request (6.x:
// HTTP1Connection._can_keep_alive):
// never with a "close" token in Connection; HTTP/1.0 only with a
// "keep-alive" token; any other version (HTTP/1.1) by default. The server's
// own no_keep_alive option is applied by the caller (start_request).
bool request_allows_keep_alive(std::string_view version,
                               const HTTPHeaders& headers);

// ---- Lab 05: the chunk-size line, in http1connection_body.cc ----------------

// Longest chunk-size line (size, extensions and CRLF) and trailer line a
// chunked body may have: a longer one is answered 400 (a size line) or 431
// (a trailer line).
inline constexpr size_t kMaxChunkLine = 4096;

// Parses one chunk-size line (RFC 9112 §7.1), CRLF included:
//   chunk-size [ chunk-ext ] CRLF, chunk-size = 1*HEXDIG,
//   chunk-ext = *( BWS ";" ... ) without control characters (TAB allowed).
// No sign, no "0x", no whitespace before the size, no bare LF. Returns false
// for anything else (the connection answers 400). On success `size` is the
// chunk's length, saturated at UINT64_MAX when the digits overflow (the
// caller then answers 413, as for any size over max_body_size). Extensions
// are ignored, as Tornado 6.x's HTTP1Connection._read_chunked_body does
// (2.4.1 reads no chunked request bodies).
bool parse_chunk_size_line(std::string_view line, uint64_t& size);

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_REQUEST_FRAMING_H_
