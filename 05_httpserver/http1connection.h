// HTTP1Connection: one HTTP/1.x connection on the server side — reads
// requests, hands them to the application, frames the responses — Tornado's
// tornado.http1connection.HTTP1Connection + HTTP1ServerConnection.
//
// Life of a connection (README.md has the sequence diagram):
//   read head → check framing → [100 Continue] → read body → callback →
//   response (raw or framed) → finish → next head (keep-alive) or close.
// Requests are served one at a time in arrival order; pipelined requests
// wait in the stream's buffer until the previous response finished, so
// responses always leave in order. While more than 256 KiB of responses wait
// for a client that is not reading, no further request is read
// (backpressure: a pipelining client cannot make the server queue unbounded
// output).
//
// Errors (this layer's rule). Bad input gets a status and a close, never a
// crash or a smuggled request: malformed head or framing → 400, head over
// max_header_size → 431, body over max_body_size → 413, unknown transfer
// coding → 501, CONNECT (no tunnels; nothing after its head is read as a
// body or a request) → 501, HTTP major version other than 1 → 505. The
// error response is
// flushed, the write side shut down, and what the client still sends is
// drained for a short while before the close ("lingering close", as nginx),
// so the client reads the status instead of a reset. An exception from the
// request callback is logged on the `application` channel and answered with
// 500 if nothing was sent yet; otherwise the connection is closed.
//
// Threads: the IOLoop's thread.
// Ownership: HTTPServer holds each connection by shared_ptr until it closes;
// stream callbacks capture `this` and hold a strong reference while they
// run (member_callback). The connection owns its IOStream and the current
// request's shared_ptr (the application may hold more references). The
// IOLoop must outlive the server and its connections.
#ifndef EDDY_05_HTTPSERVER_HTTP1CONNECTION_H_
#define EDDY_05_HTTPSERVER_HTTP1CONNECTION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "01_ioloop/ioloop.h"
#include "02_netutil/socket_address.h"
#include "03_iostream/iostream.h"
#include "04_httputil/headers.h"
#include "04_httputil/start_line.h"
#include "05_httpserver/date_cache.h"
#include "05_httpserver/http_server_options.h"
#include "05_httpserver/http_server_request.h"
#include "05_httpserver/raw_response.h"
#include "05_httpserver/request_framing.h"
#include "05_httpserver/timeout_list.h"

namespace eddy {

// What every connection of one server shares. Owned by HTTPServer through a
// shared_ptr that each connection also holds, so a connection outliving its
// server stays valid.
struct HTTP1ServerContext {
  HTTPServerOptions options;
  // request.protocol before xheaders: options.protocol, else "https" with
  // ssl_options and "http" without (decided once per server).
  std::string protocol;
  std::function<void(HTTPServerRequest&)> request_callback;
  DateCache date_cache;
  // Called once when a connection has closed (HTTPServer forgets it).
  std::function<void(HTTP1Connection*)> on_close;
  // The connections' deadlines, one list per duration (timeout_list.h):
  // idle_connection_timeout for a request head, body_timeout for a body,
  // and the lingering close after an error.
  TimeoutList head_timeouts;
  TimeoutList body_timeouts;
  TimeoutList linger_timeouts;
};

class HTTP1Connection : public std::enable_shared_from_this<HTTP1Connection>,
                        private TimeoutList::Entry {
 public:
  HTTP1Connection(std::shared_ptr<IOStream> stream,
                  const SocketAddress& address,
                  std::shared_ptr<HTTP1ServerContext> context);
  ~HTTP1Connection();
  HTTP1Connection(const HTTP1Connection&) = delete;
  HTTP1Connection& operator=(const HTTP1Connection&) = delete;

  // Starts reading the first request.
  void start();

  // The framed API (Tornado's HTTPConnection interface). write_headers adds
  // Content-Length-less framing (chunked for HTTP/1.1, close-delimited for
  // HTTP/1.0), Connection and Date; the body is never sent for HEAD, 204 or
  // 304. Writing more than a declared Content-Length throws
  // std::logic_error; finishing short of it closes the connection.
  // write_headers throws std::invalid_argument, and writes nothing, for a
  // status code outside 100..999 or a reason phrase with a byte other than
  // HTAB, SP, VCHAR and obs-text (a CR, LF or NUL would end the status line
  // early: RFC 9112 §4); and for framing headers that do not describe one
  // body length: Content-Length with Transfer-Encoding, two Content-Lengths
  // that differ, or one that is not 1*DIGIT within 64 bits (equal repeats
  // leave as one field). A 1xx other than 101 is an interim response: it is
  // sent at once (to HTTP/1.1 clients only, RFC 9110 §15.2), without
  // Content-Length or Transfer-Encoding (else std::invalid_argument), and
  // the final response is still expected: write_headers may be called
  // again, and finish() with no final response closes the connection. 101
  // throws std::invalid_argument (eddy switches to no other protocol).
  void write_headers(const ResponseStartLine& start_line, HTTPHeaders headers);
  void write(std::string chunk);
  void finish();
  // The tutorial's raw API: bytes go to the stream as they are, except that
  // a response without a body (to HEAD, or a 204 or 304) ends with its
  // final head: what the application writes after it is dropped
  // (RawResponseScanner). finish() before the final response's head is
  // known (only 1xx heads, or part of the head that decides, written)
  // closes the connection.
  void write_raw(std::string bytes);

  // Closes the connection now (pending output is dropped).
  void close();
  bool closed() const { return state_ == State::kClosed; }
  // True while the connection waits for the first byte of a new request
  // (graceful shutdown closes such connections at once).
  bool idle() const;
  // Graceful shutdown: close now if idle, else after the current response.
  void close_when_idle();

 public:
  // What a raw response's own Connection header says (internal).
  enum class RawConnection : uint8_t { kUnspecified, kClose, kKeepAlive };

 private:
  enum class State : uint8_t {
    kReadingHead,
    kReadingBody,
    kHandling,
    kLingering,
    kClosed
  };
  enum class ResponseMode : uint8_t { kNone, kRaw, kFramed };

  // Reading (http1connection.cc).
  void read_next_request();
  void on_head(std::string_view head);
  bool start_request(std::string_view head, RequestFraming& framing);
  void dispatch_request();
  void finish_request();
  // ---- The body readers: lab 05 (lab/README.md), http1connection_body.cc.
  // on_head has checked the framing (request_framing.h), set state_ to
  // kReadingBody, body_received_ to 0 and armed body_timeout (if set); the
  // readers fill request_->body and end in exactly one of: dispatch_request()
  // (the body is complete), send_error(status, reason) (then return: it closes
  // the connection), or nothing when the stream closes under them. Each
  // read is asked of stream_ with a callback made by member_callback(), and
  // reads no byte past the body, so a pipelined request that follows stays
  // in the stream's buffer for read_next_request.
  //
  // Appends `data` to the body and counts it in body_received_; past
  // options.max_body_size answers 413 and returns false instead.
  bool append_body(std::string_view data);
  // Reads `remaining` bytes with partial reads of at most options.chunk_size
  // (so a large body is not buffered twice), appending each piece as it
  // comes, then calls (this->*next)(). Shared by the two body kinds.
  void read_body_bytes(uint64_t remaining, void (HTTP1Connection::*next)());
  // A Content-Length body of `length` (> 0) bytes, then dispatch_request.
  // Tornado 2.4.1: HTTPConnection._on_headers' read_bytes(content_length);
  // 6.x: HTTP1Connection._read_fixed_body.
  void read_fixed_body(uint64_t length);
  // The chunked body, RFC 9112 §7.1 (Tornado 6.x:
  // HTTP1Connection._read_chunked_body; 2.4.1 has none). Reads one
  // chunk-size line, at most kMaxChunkLine bytes (line_too_long_ says it was
  // longer), into on_chunk_header.
  void read_chunk_header();
  // A malformed or too long line → 400; size 0 → read_trailers(0); a chunk
  // that would take the body over max_body_size → 413 before reading it;
  // else read_chunk_data(size).
  void on_chunk_header(std::string_view line);
  // The chunk's `size` bytes, then read_chunk_end.
  void read_chunk_data(uint64_t size);
  // The CRLF after a chunk's data (anything else → 400), then the next
  // read_chunk_header.
  void read_chunk_end();
  // trailer-section = *( field-line CRLF ) CRLF: reads lines (each at most
  // kMaxChunkLine, all together at most options.max_header_size, else 431;
  // a line without CRLF → 400) and drops them; at the empty line,
  // dispatch_request. `bytes_so_far` counts the trailer bytes already read.
  void read_trailers(size_t bytes_so_far);
  // ---- End of lab 05.
  // With decompress_request (http1connection_gzip.cc).
  bool decompress_body();
  // Responses (http1connection_write.cc).
  void send_error(int status, std::string_view reason);
  void send_continue();
  void write_to_stream(std::string bytes);
  void log_access();
  // Closing and timers (http1connection.cc).
  void linger_and_close();
  void drain_input();
  void close_after_flush();
  // Closes the connection unless disarm_timeout() comes first.
  void arm_timeout(TimeoutList& list, double seconds);
  void disarm_timeout() { TimeoutList::Entry::cancel(); }
  void on_deadline() override;
  void on_stream_close();
  // Wraps a member call for a stream callback, and keeps the connection
  // alive for the duration of the call. It captures `this` and fn's own
  // captures (with none, 8 bytes: std::function stores that without
  // allocating, so an idle connection's two callbacks cost nothing extra).
  // `this` is alive whenever one runs: the stream runs no callback once
  // closed, and ~HTTP1Connection closes it and drops the close callback.
  template <typename Fn>
  auto member_callback(Fn fn) {
    return [this, fn = std::move(fn)](auto&&... args) {
      auto self = shared_from_this();
      fn(*this, std::forward<decltype(args)>(args)...);
    };
  }

  friend class HTTPServer;  // Keeps server_slot_.

  // Memory: thousands of these sit idle on a busy server, so the members
  // are ordered to pack (about 180 bytes with the timeout entry; README.md,
  // "What an idle connection costs"). Per-request state that is only needed
  // while a request is read (its framing) is a local, not a member.
  std::shared_ptr<IOStream> stream_;
  std::shared_ptr<HTTP1ServerContext> context_;
  std::string peer_ip_;
  // The request being read or answered.
  std::shared_ptr<HTTPServerRequest> request_;
  uint64_t body_received_ = 0;
  // Framed responses with a Content-Length: bytes still to send.
  uint64_t content_remaining_ = 0;
  uint32_t server_slot_ = 0;  // Index in HTTPServer::connections_.
  uint16_t response_status_ = 0;
  State state_ = State::kReadingHead;
  bool close_when_idle_ = false;
  bool request_keep_alive_ = false;
  bool head_too_large_ = false;
  // Set by a chunk-size or trailer line matcher that found no end within
  // kMaxChunkLine bytes (it then hands over all it has).
  bool line_too_long_ = false;
  // The response being written.
  ResponseMode response_mode_ = ResponseMode::kNone;
  RawConnection raw_connection_ = RawConnection::kUnspecified;
  // Where the raw response's final head ends (raw_response.h).
  RawResponseScanner raw_response_;
  bool response_keep_alive_ = false;
  bool chunking_output_ = false;
  bool response_body_allowed_ = true;
  bool content_length_declared_ = false;  // content_remaining_ applies.
};

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_HTTP1CONNECTION_H_
