// A message head: the start line plus the header block, up to the empty line.
// What Tornado's HTTP1Connection._parse_headers does before it calls
// parse_request_start_line and HTTPHeaders.parse; chapter 05 reads a head with
// read_until("\r\n\r\n") and hands it here.
//
// Contract
// - `head` is the bytes of one head; a final empty line ("\r\n\r\n" or
//   "\n\n") may be included or not. Empty lines before the start line are
//   skipped (RFC 9112 §2.2: a server SHOULD ignore at least one). Lines end
//   in CRLF or a bare LF.
// - Throws HTTPInputError (errors.h) for a malformed start line or header
//   line, or for a head with no start line. Linear in head.size().
// - Thread-safety: pure functions; any thread may call them.
#ifndef EDDY_04_HTTPUTIL_HEAD_H_
#define EDDY_04_HTTPUTIL_HEAD_H_

#include <string_view>

#include "04_httputil/headers.h"
#include "04_httputil/start_line.h"

namespace eddy {

// The two halves of a head, as views into it: the start line without its
// line terminator, and everything after that terminator.
struct HeadParts {
  std::string_view start_line;
  std::string_view header_block;
};

// Splits a head after skipping leading empty lines. Does not validate.
HeadParts split_head(std::string_view head);

struct RequestHead {
  RequestStartLine start_line;
  HTTPHeaders headers;
};

struct ResponseHead {
  ResponseStartLine start_line;
  HTTPHeaders headers;
};

RequestHead parse_request_head(std::string_view head);
ResponseHead parse_response_head(std::string_view head);

}  // namespace eddy

#endif  // EDDY_04_HTTPUTIL_HEAD_H_
