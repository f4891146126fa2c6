// Exercise 05.3 (hard): gzip responses, Tornado's GZipContentEncoding
// (the output transform behind Application(compress_response=True)).
//
// A GzipResponse wraps the framed API of one request: the handler calls
// start(), write()s chunks and finish()es, and the GzipResponse decides
// whether to compress and does it incrementally with zlib.
//
// Contract
// - start(start_line, headers) records the response head; nothing is sent
//   until the first decision point below.
// - Every response gets "Accept-Encoding" added to Vary (appended with ", "
//   when the handler set Vary already).
// - The body is gzipped when all of these hold:
//     the request's Accept-Encoding lists "gzip" (a comma-separated list of
//       codings, case-insensitive, each with optional ";q=..."; q=0, 0.0,
//       0.00 or 0.000 means refused; "*" does not count);
//     the status is 200; the response has no Content-Encoding yet;
//     its Content-Type (before any ";") is text/* or one of
//       application/javascript, application/json, application/xml,
//       image/svg+xml, or ends in "+json" or "+xml";
//     the body is at least kMinLength bytes: while fewer have been written,
//       the GzipResponse buffers them; finish() with fewer sends them as they
//       are, and kMinLength buffered bytes (or more) decide for gzip.
// - When gzipping: Content-Encoding: gzip; any Content-Length the handler
//   set is removed (the connection frames the body); the data is a gzip
//   stream (RFC 1952) that gunzips to exactly the bytes written. Each
//   write() after the decision sends what zlib produced so far after a
//   Z_SYNC_FLUSH, so a streaming response keeps streaming.
// - When not gzipping, the head and bytes go out unchanged (plus Vary).
// - write() after finish() throws std::logic_error; so does write() before
//   start().
// Threads: the loop's thread. Lifetime: holds the request (shared_ptr).
#ifndef EDDY_05_HTTPSERVER_EXERCISES_GZIP_RESPONSE_H_
#define EDDY_05_HTTPSERVER_EXERCISES_GZIP_RESPONSE_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "05_httpserver/http_server_request.h"

namespace eddy::exercises {

class GzipResponse {
 public:
  static constexpr size_t kMinLength = 1024;

  explicit GzipResponse(std::shared_ptr<HTTPServerRequest> request);
  ~GzipResponse();
  GzipResponse(const GzipResponse&) = delete;
  GzipResponse& operator=(const GzipResponse&) = delete;

  void start(const ResponseStartLine& start_line, HTTPHeaders headers);
  void write(std::string_view chunk);
  void finish();

 private:
  struct State;  // Yours: define it in gzip_response.cc.
  std::unique_ptr<State> state_;
};

}  // namespace eddy::exercises

#endif  // EDDY_05_HTTPSERVER_EXERCISES_GZIP_RESPONSE_H_
