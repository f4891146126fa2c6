// HTTP1Connection: reading request bodies — by Content-Length, or chunked
// (RFC 9112 §7.1) with extensions ignored and trailers read and dropped —
// and gunzipping them when asked.
#include <zlib.h>

#include <algorithm>

#include "05_httpserver/http1connection.h"

namespace eddy {
namespace {

// Longest chunk-size line (size, extensions, CRLF) and trailer line accepted.
constexpr size_t kMaxChunkLine = 4096;

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

// chunk-size [ chunk-ext ] CRLF, where chunk-size = 1*HEXDIG (no sign, no
// "0x", no spaces before) and chunk-ext = *( BWS ";" ... ). Returns false for
// anything else; saturates `size` on overflow.
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

}  // namespace

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

// With decompress_request: gunzip a body sent with Content-Encoding: gzip,
// bounded by max_body_size, and move the header aside as Tornado does
// (X-Consumed-Content-Encoding). Answers 400/413 and returns false on failure.
bool HTTP1Connection::decompress_body() {
  HTTPServerRequest& request = *request_;
  auto encoding = request.headers.get_first("Content-Encoding");
  if (!encoding || *encoding != "gzip") return true;
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    send_error(500, "zlib initialisation failed");
    return false;
  }
  std::string output;
  z.next_in = reinterpret_cast<Bytef*>(request.body.data());
  z.avail_in = static_cast<uInt>(request.body.size());
  int status = Z_OK;
  char buffer[64 * 1024];
  while (status == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    status = inflate(&z, Z_NO_FLUSH);
    output.append(buffer, sizeof buffer - z.avail_out);
    if (output.size() > context_->options.max_body_size) {
      inflateEnd(&z);
      send_error(413, "decompressed body over max_body_size");
      return false;
    }
    if (status == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (status != Z_STREAM_END) {
    send_error(400, "malformed gzip request body");
    return false;
  }
  request.body = std::move(output);
  request.headers.erase("Content-Encoding");
  request.headers.add("X-Consumed-Content-Encoding", "gzip");
  request.headers.set("Content-Length", std::to_string(request.body.size()));
  return true;
}

}  // namespace eddy
