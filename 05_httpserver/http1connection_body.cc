// HTTP1Connection: reading request bodies — by Content-Length, or chunked
// (RFC 9112 §7.1) with extensions ignored and trailers read and dropped —
// bounded by max_body_size. Lab 05's students write this file
// (lab/http1connection_body.cc); gunzipping is in http1connection_gzip.cc.
#include <algorithm>

#include "05_httpserver/http1connection.h"

namespace eddy {
namespace {

// Finds "\n" (a line's end) within `limit` bytes; sets `too_long` and claims
// everything when there is none.
size_t match_line_end(std::string_view data, size_t from, size_t limit,
                      bool& too_long) {
  size_t newline = data.find('\n', from);
  if (newline != std::string_view::npos && newline < limit) return newline + 1;
  if (data.size() >= limit) {
    too_long = true;
    return data.size();
  }
  return 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool parse_chunk_size_line(std::string_view line, uint64_t& size) {
  if (line.size() < 2 || line.substr(line.size() - 2) != "\r\n") return false;
  line.remove_suffix(2);
  size_t i = 0;
  size = 0;
  while (i < line.size() && hex_value(line[i]) >= 0) {
    if (size >> 60) {
      size = UINT64_MAX;
    } else {
      size = size * 16 + static_cast<uint64_t>(hex_value(line[i]));
    }
    ++i;
  }
  if (i == 0 || i > 16 + 64) return false;
  std::string_view extension = line.substr(i);
  size_t first = extension.find_first_not_of(" \t");
  if (first == std::string_view::npos) return extension.empty();
  if (extension[first] != ';') return false;
  for (char c : extension) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

bool HTTP1Connection::append_body(std::string_view data) {
  body_received_ += data.size();
  if (body_received_ > context_->options.max_body_size) {
    send_error(413, "body over max_body_size");
    return false;
  }
  request_->body.append(data);
  return true;
}

// Reads `remaining` body bytes in pieces of at most chunk_size, appending
// each to the body as it arrives, then continues with `next`. Shared by
// Content-Length bodies (then dispatch) and chunk data (then the CRLF).
void HTTP1Connection::read_body_bytes(uint64_t remaining,
                                      void (HTTP1Connection::*next)()) {
  if (remaining == 0) {
    (this->*next)();
    return;
  }
  size_t want = static_cast<size_t>(
      std::min<uint64_t>(remaining, context_->options.chunk_size));
  stream_->read_bytes(want,
                      member_callback([remaining, next](HTTP1Connection& self,
                                                        std::string_view data) {
                        if (!self.append_body(data)) return;
                        self.read_body_bytes(remaining - data.size(), next);
                      }),
                      /*partial=*/true);
}

void HTTP1Connection::read_fixed_body(uint64_t length) {
  read_body_bytes(length, &HTTP1Connection::dispatch_request);
}

void HTTP1Connection::read_chunk_header() {
  line_too_long_ = false;
  stream_->read_until_match(
      [this](std::string_view data, size_t from) {
        return match_line_end(data, from, kMaxChunkLine, line_too_long_);
      },
      member_callback([](HTTP1Connection& self, std::string_view line) {
        self.on_chunk_header(line);
      }));
}

void HTTP1Connection::on_chunk_header(std::string_view line) {
  uint64_t size = 0;
  if (line_too_long_ || !parse_chunk_size_line(line, size)) {
    send_error(400, "malformed chunk size line");
    return;
  }
  if (size == 0) {
    read_trailers(0);
    return;
  }
  if (size > context_->options.max_body_size ||
      body_received_ + size > context_->options.max_body_size) {
    send_error(413, "chunked body over max_body_size");
    return;
  }
  read_chunk_data(size);
}

void HTTP1Connection::read_chunk_data(uint64_t size) {
  read_body_bytes(size, &HTTP1Connection::read_chunk_end);
}

// Every chunk's data is followed by CRLF.
void HTTP1Connection::read_chunk_end() {
  stream_->read_bytes(
      2, member_callback([](HTTP1Connection& self, std::string_view crlf) {
        if (crlf != "\r\n") {
          self.send_error(400, "chunk data not followed by CRLF");
          return;
        }
        self.read_chunk_header();
      }));
}

// trailer-section = *( field-line CRLF ) CRLF. Trailers are read, bounded by
// max_header_size in total, and dropped (RFC 9110 §6.5.1 lets us).
void HTTP1Connection::read_trailers(size_t bytes_so_far) {
  line_too_long_ = false;
  stream_->read_until_match(
      [this](std::string_view data, size_t from) {
        return match_line_end(data, from, kMaxChunkLine, line_too_long_);
      },
      member_callback(
          [bytes_so_far](HTTP1Connection& self, std::string_view line) {
            size_t total = bytes_so_far + line.size();
            if (self.line_too_long_ ||
                total > self.context_->options.max_header_size) {
              self.send_error(431, "trailers too large");
              return;
            }
            if (line.size() < 2 || line.substr(line.size() - 2) != "\r\n") {
              self.send_error(400, "trailer line without CRLF");
              return;
            }
            if (line.size() == 2) {
              self.dispatch_request();
            } else {
              self.read_trailers(total);
            }
          }));
}

}  // namespace eddy
