// A tiny, deliberately strict reference for HTTP/1.1 request framing, used by
// the HTTP1Connection fuzzer to decide on its own which requests in a byte
// stream are complete (testonly; it shares no code with 05_httpserver).
//
// It recognises only a conservative subset of HTTP/1.1 that every correct
// server must serve: a start line `METHOD SP /path SP HTTP/1.1` with a common
// method and a plain path, CRLF line ends, exactly one `Host`, header names
// from a short allow-list or `X-...`, an optional single `Content-Length`
// (digits) or `Transfer-Encoding: chunked` (chunk sizes in hex, no
// extensions, no trailers), and sizes within the server's limits. Anything
// outside the subset makes the rest of the stream "unknown": the fuzzer then
// checks only the weaker invariants there.
#ifndef EDDY_HARDENING_FUZZ_REFERENCE_FRAMING_H_
#define EDDY_HARDENING_FUZZ_REFERENCE_FRAMING_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::fuzz {

struct ReferenceRequest {
  std::string method;
  std::string path;
  std::string body;  // De-chunked.
};

struct ReferenceFraming {
  // The complete requests of the subset at the start of the stream, in order.
  std::vector<ReferenceRequest> complete;
  // Bytes they span.
  size_t consumed = 0;
  // What follows them: nothing, the beginning of a request that is still in
  // the subset so far (kIncomplete), or something outside it (kUnknown).
  enum class Rest { kEmpty, kIncomplete, kUnknown } rest = Rest::kEmpty;
};

// Frames `stream` (all bytes sent so far) with the given server limits.
ReferenceFraming frame_requests(std::string_view stream, size_t max_header_size,
                                size_t max_body_size);

}  // namespace eddy::fuzz

#endif  // EDDY_HARDENING_FUZZ_REFERENCE_FRAMING_H_
