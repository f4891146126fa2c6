// Exercise 05.2 (medium): answer Range requests (RFC 9110 §14), as Tornado's
// StaticFileHandler does for video players and resumed downloads.
//
// Contract: serve_content(request, content, content_type) answers `request`
// with `content` using the framed API (write_headers, write, finish):
// - Every response carries Accept-Ranges: bytes and Content-Type.
// - No Range header, or one that is not a single valid byte range: 200 with
//   the whole content. (Invalid ranges are ignored, not errors: RFC 9110
//   §14.2. Several ranges, "bytes=0-1,5-6", are answered with the whole
//   content too, as Tornado does: no multipart/byteranges.)
// - Valid forms, with N = content.size():
//     bytes=a-b  a <= b: bytes a..min(b, N-1)
//     bytes=a-          bytes a..N-1
//     bytes=-n   n > 0: the last min(n, N) bytes
//   -> 206 Partial Content, Content-Range: bytes first-last/N, that slice.
//   Spaces around the range ("bytes= 0-1") make it invalid; numbers are
//   decimal digits only and may not overflow (overflow: invalid).
// - Syntactically valid but unsatisfiable (a >= N, or bytes=-0, or any range
//   of empty content): 416 Range Not Satisfiable, Content-Range: bytes */N,
//   empty body.
// - Only GET honours Range; other methods get the 200 answer.
// Threads: the loop's thread.
#ifndef EDDY_05_HTTPSERVER_EXERCISES_RANGE_REQUESTS_H_
#define EDDY_05_HTTPSERVER_EXERCISES_RANGE_REQUESTS_H_

#include <string_view>

#include "05_httpserver/http_server_request.h"

namespace eddy::exercises {

void serve_content(HTTPServerRequest& request, std::string_view content,
                   std::string_view content_type);

}  // namespace eddy::exercises

#endif  // EDDY_05_HTTPSERVER_EXERCISES_RANGE_REQUESTS_H_
