// The HTTP1Connection fuzz harness (testonly): runs one fuzzer input through
// a real HTTP1Connection on a fresh IOLoop, over a socketpair, and checks the
// server's answers against invariants. Shared by the libFuzzer target
// (http1_fuzzer.cc) and the corpus replay test, so every CI run re-checks the
// checked-in corpus with the same code.
//
// Input layout: byte 0 chooses the limits and the split mode, byte 1 seeds
// the split sizes (bits 0-6) and turns on decompress_request and xheaders
// (bit 7), the rest is what the client sends:
//   bits 0-1  max_header_size: 64, 256, 1024, 65536
//   bits 2-3  max_body_size:   0, 16, 100, 4096
//   bit  4    the client shuts down its sending side after the last byte
//   bits 5-7  split: 0 one write, 1 byte by byte, n > 1 random pieces of
//             1..2^n bytes (xorshift seeded by byte 1)
// After every piece the loop runs until nothing moves (an always-ready fd
// keeps epoll_wait from blocking, so this takes microseconds).
//
// Invariants, checked after every piece and at the end (reference_framing.h
// decides independently which requests are complete):
//   1. Everything the server sent parses as HTTP/1.1 responses.
//   2. The first N final responses answer the N complete requests of the
//      reference subset, in order, byte for byte (the echo handler's body
//      names method, path and body) — never earlier: no more 200s than
//      complete requests plus request heads outside the subset.
//   3. Every response >= 400 is the last one and is followed by a close (EOF).
//   4. While the stream so far is all in the subset, nothing but 200s is
//      sent and the connection stays open (unless the client shut down).
//   5. 1xx responses only when the client sent "100-continue".
#ifndef EDDY_HARDENING_FUZZ_HTTP1_FUZZ_H_
#define EDDY_HARDENING_FUZZ_HTTP1_FUZZ_H_

#include <string>
#include <string_view>

namespace eddy::fuzz {

// Returns an empty string when every invariant held, else what broke.
std::string run_http1_input(std::string_view input);

}  // namespace eddy::fuzz

#endif  // EDDY_HARDENING_FUZZ_HTTP1_FUZZ_H_
