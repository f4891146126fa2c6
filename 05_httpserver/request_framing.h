// Request framing: the RFC 9112 rules that decide, from a request's start
// line and headers alone, whether the request is acceptable, how its body is
// delimited, and whether the connection may stay open afterwards. Pure
// functions, so the rules that stop request smuggling are tested without
// sockets.
//
// Stricter than Tornado 6.2 (which ignores unknown transfer codings and
// accepts Content-Length with Transfer-Encoding): see README.md, "Where we
// are stricter than Tornado".
#ifndef EDDY_05_HTTPSERVER_REQUEST_FRAMING_H_
#define EDDY_05_HTTPSERVER_REQUEST_FRAMING_H_

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

// Whether the client allows the connection to stay open after this request
// (HTTP/1.1: unless "Connection: close"; HTTP/1.0: only with
// "Connection: keep-alive"), as Tornado's _can_keep_alive.
bool request_allows_keep_alive(std::string_view version,
                               const HTTPHeaders& headers);

// True when the comma-separated header values of `name` contain `token`
// (case-insensitive), e.g. header_has_token(headers, "Connection", "close").
bool header_has_token(const HTTPHeaders& headers, std::string_view name,
                      std::string_view token);

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_REQUEST_FRAMING_H_
