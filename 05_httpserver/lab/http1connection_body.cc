// Lab 05, part 2: the request body readers (README.md, "Step 2" to
// "Step 5"). The contract is in 05_httpserver/http1connection.h (the block
// "The body readers") and 05_httpserver/request_framing.h
// (parse_chunk_size_line). Write the functions in the order of the TODOs;
// each step has its tests in README.md. Remove the [[maybe_unused]] as you
// use each parameter.
//
// Reminders:
//  - Ask stream_ for every read (read_bytes, read_until_match: 03_iostream/
//    iostream.h) with a callback made by member_callback(), e.g.
//      stream_->read_bytes(n, member_callback([](HTTP1Connection& self,
//                                                std::string_view data) {
//        ...
//      }), /*partial=*/true);
//    never with a lambda capturing `this` alone: member_callback keeps the
//    connection alive while its callback runs.
//  - The limits are in context_->options (http_server_options.h).
//  - After send_error(...) return at once: the connection is closing.
#include <algorithm>

#include "05_httpserver/http1connection.h"
#include "tools/lab/todo.h"

namespace eddy {

// TODO(lab 05) 3: the chunk-size line, "1A;name=value\r\n" → 26. A pure
// function: its own table of cases is ChunkSizeLineTest in
// request_framing_test. Hexadecimal digits first (at least one), then
// nothing or an extension (optional spaces/tabs, ';', no control characters
// but TAB), then "\r\n". Saturate `size` at UINT64_MAX on overflow.
bool parse_chunk_size_line([[maybe_unused]] std::string_view line,
                           [[maybe_unused]] uint64_t& size) {
  lab::todo("05", "parse_chunk_size_line");
}

// TODO(lab 05) 4: count the bytes in body_received_; over
// options.max_body_size answer 413 and return false, else append them to
// request_->body.
bool HTTP1Connection::append_body([[maybe_unused]] std::string_view data) {
  lab::todo("05", "HTTP1Connection::append_body");
}

// TODO(lab 05) 5: with nothing left, continue with (this->*next)(); else
// read up to min(remaining, chunk_size) bytes with a partial read_bytes,
// append them (stop if append_body says no), and read the rest the same way.
void HTTP1Connection::read_body_bytes(
    [[maybe_unused]] uint64_t remaining,
    [[maybe_unused]] void (HTTP1Connection::*next)()) {
  lab::todo("05", "HTTP1Connection::read_body_bytes");
}

// TODO(lab 05) 6: a Content-Length body: its bytes, then dispatch_request.
void HTTP1Connection::read_fixed_body([[maybe_unused]] uint64_t length) {
  lab::todo("05", "HTTP1Connection::read_fixed_body");
}

// TODO(lab 05) 7: read one line (up to and including "\n") with
// read_until_match and a matcher that gives up after kMaxChunkLine bytes:
// then it sets line_too_long_ and claims everything it was shown, so that
// on_chunk_header gets called and can answer 400. Reset line_too_long_
// first.
void HTTP1Connection::read_chunk_header() {
  lab::todo("05", "HTTP1Connection::read_chunk_header");
}

// TODO(lab 05) 8: too long or malformed (parse_chunk_size_line) → 400;
// size 0 → the trailers; over max_body_size (counting body_received_, and
// beware of overflow) → 413; else the chunk's data.
void HTTP1Connection::on_chunk_header([[maybe_unused]] std::string_view line) {
  lab::todo("05", "HTTP1Connection::on_chunk_header");
}

// TODO(lab 05) 9: the chunk's bytes (read_body_bytes), then read_chunk_end.
void HTTP1Connection::read_chunk_data([[maybe_unused]] uint64_t size) {
  lab::todo("05", "HTTP1Connection::read_chunk_data");
}

// TODO(lab 05) 10: exactly two bytes, which must be "\r\n" (else 400), then
// the next chunk-size line.
void HTTP1Connection::read_chunk_end() {
  lab::todo("05", "HTTP1Connection::read_chunk_end");
}

// TODO(lab 05) 11: trailer lines, read like chunk-size lines and dropped:
// a line too long, or the total over max_header_size → 431; a line not
// ending in "\r\n" → 400; the empty line "\r\n" ends the body
// (dispatch_request); else the next trailer line.
void HTTP1Connection::read_trailers([[maybe_unused]] size_t bytes_so_far) {
  lab::todo("05", "HTTP1Connection::read_trailers");
}

}  // namespace eddy
