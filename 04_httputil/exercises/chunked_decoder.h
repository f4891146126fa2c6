// Exercise 04.3 (hard): an incremental decoder for HTTP/1.1 chunked bodies
// (RFC 9112 §7.1), the parsing half of Tornado's
// HTTP1Connection._read_chunked_body.
//
//   chunked-body = *chunk last-chunk trailer-section CRLF
//   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//   last-chunk   = 1*"0" [ chunk-ext ] CRLF
//
// Bytes arrive in pieces of any size (a stream delivers what the kernel
// had), so the decoder keeps its state between calls and must give the same
// result however the input is split.
//
// Contract
// - feed(input, body) consumes bytes of `input`, appends the decoded data
//   to `body`, and returns how many bytes it consumed: all of them, except
//   when the body ends inside `input`; then it stops right after the final
//   CRLF (what follows is the next pipelined request). After done(), feed
//   consumes nothing and returns 0.
// - chunk-size is 1 or more hex digits (either case), no sign, no "0x", no
//   spaces before it. After it, optional spaces/tabs then ';' start an
//   extension that runs to the CRLF and is ignored; anything else there is
//   an error. Lines end with CRLF exactly: a bare LF or CR is an error.
// - chunk-data must be followed by CRLF. Trailer lines (after the last chunk,
//   up to an empty line) must contain ':' and are ignored.
// - Limits: a size line or trailer line longer than max_line bytes (CRLF
//   not counted) is an error as soon as it is known to be too long; a chunk
//   size that would take the body past max_body_size is an error as soon as
//   its size line is read (before its data arrives). Sizes that overflow
//   uint64 are errors.
// - Errors throw eddy::HTTPInputError (04_httputil/errors.h); the decoder is
//   then failed: every later feed() throws too.
// - Memory: besides `body`, at most max_line bytes of buffered line.
// Threads: one thread at a time.
#ifndef EDDY_04_HTTPUTIL_EXERCISES_CHUNKED_DECODER_H_
#define EDDY_04_HTTPUTIL_EXERCISES_CHUNKED_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "04_httputil/errors.h"

namespace eddy::exercises {

class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(uint64_t max_body_size = 100 * 1024 * 1024,
                          size_t max_line = 4096);
  ~ChunkedDecoder();
  ChunkedDecoder(const ChunkedDecoder&) = delete;
  ChunkedDecoder& operator=(const ChunkedDecoder&) = delete;

  size_t feed(std::string_view input, std::string& body);
  // True once the last chunk and the trailer section have been read.
  bool done() const;

 private:
  struct State;  // Yours: define it in chunked_decoder.cc.
  std::unique_ptr<State> state_;
};

}  // namespace eddy::exercises

#endif  // EDDY_04_HTTPUTIL_EXERCISES_CHUNKED_DECODER_H_
