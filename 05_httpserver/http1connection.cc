// HTTP1Connection: reading requests, dispatching them, keep-alive, timers and
// closing. The body readers are in http1connection_body.cc, the response
// writers in http1connection_write.cc.
#include "05_httpserver/http1connection.h"

#include <sys/socket.h>

#include <cstring>
#include <exception>

#include "01_ioloop/log.h"
#include "04_httputil/errors.h"
#include "04_httputil/head.h"
#include "05_httpserver/xheaders.h"

namespace eddy {
namespace {

// How long a connection being closed after an error drains what the client
// still sends, and how much of it, so the client reads our status line
// instead of a reset.
constexpr double kLingerSeconds = 2.0;
constexpr size_t kDrainChunk = 64 * 1024;

// Backpressure for pipelining: while more response bytes than this wait for
// the client, the next request is not read until they have been sent. Small
// pipelined responses still leave together in one writev; a client that
// pipelines requests and never reads costs at most this plus one response.
constexpr size_t kMaxPendingOutput = 256 * 1024;

// Finds the end of a request head, the regex \r?\n\r?\n, resuming the scan
// near where the previous call stopped. Returns the head length including
// the empty line, or 0. When no end is found within `limit` bytes it sets
// `too_large` and claims all the data, so the stream hands it over and the
// connection can answer 431.
size_t match_head_end(std::string_view data, size_t from, size_t limit,
                      bool& too_large) {
  size_t i = from >= 3 ? from - 3 : 0;
  while (i < data.size()) {
    const void* found = std::memchr(data.data() + i, '\n', data.size() - i);
    if (found == nullptr) break;
    size_t newline = static_cast<const char*>(found) - data.data();
    size_t end = 0;
    if (newline + 1 < data.size() && data[newline + 1] == '\n') {
      end = newline + 2;
    } else if (newline + 2 < data.size() && data[newline + 1] == '\r' &&
               data[newline + 2] == '\n') {
      end = newline + 3;
    }
    if (end != 0) {
      if (end > limit) break;
      return end;
    }
    i = newline + 1;
  }
  if (data.size() > limit) {
    too_large = true;
    return data.size();
  }
  return 0;
}

bool only_line_breaks(std::string_view text) {
  return text.find_first_not_of("\r\n") == std::string_view::npos;
}

}  // namespace

HTTP1Connection::HTTP1Connection(std::shared_ptr<IOStream> stream,
                                 const SocketAddress& address,
                                 std::shared_ptr<HTTP1ServerContext> context)
    : stream_(std::move(stream)),
      context_(std::move(context)),
      peer_ip_(address.family() == AF_UNIX ? std::string("0.0.0.0")
                                           : address.host()) {}

HTTP1Connection::~HTTP1Connection() {
  // Before the members go (context_ owns the timeout lists), and before the
  // stream closes: its callbacks capture `this` (member_callback).
  disarm_timeout();
  // An application still holding the request must see the connection gone
  // (on_stream_close, which would say so, will not run).
  if (request_) request_->connection = nullptr;
  if (!stream_->closed()) stream_->close();
  stream_->set_close_callback(nullptr);
}

void HTTP1Connection::start() {
  stream_->set_close_callback(
      member_callback([](HTTP1Connection& self) { self.on_stream_close(); }));
  read_next_request();
}

bool HTTP1Connection::idle() const {
  return state_ == State::kReadingHead && !stream_->closed();
}

void HTTP1Connection::close_when_idle() {
  close_when_idle_ = true;
  if (idle()) close();
}

// ---- Reading a request ------------------------------------------------------

void HTTP1Connection::read_next_request() {
  if (close_when_idle_) {
    close();
    return;
  }
  state_ = State::kReadingHead;
  head_too_large_ = false;
  // The whole head must arrive within idle_connection_timeout: a client
  // trickling one byte at a time does not extend it (slowloris).
  arm_timeout(context_->head_timeouts,
              context_->options.idle_connection_timeout);
  size_t limit = context_->options.max_header_size;
  stream_->read_until_match(
      [this, limit](std::string_view data, size_t from) {
        return match_head_end(data, from, limit, head_too_large_);
      },
      member_callback([](HTTP1Connection& self, std::string_view head) {
        self.on_head(head);
      }));
}

// DOC: on-head. (README.md, "The life of a request".)
void HTTP1Connection::on_head(std::string_view head) {
  disarm_timeout();
  if (head_too_large_) {
    send_error(431, "request head over max_header_size");
    return;
  }
  // RFC 9112 §2.2: ignore empty lines before a request line.
  if (only_line_breaks(head)) {
    read_next_request();
    return;
  }
  RequestFraming framing;
  if (!start_request(head, framing)) return;
  if (framing.expect_continue) send_continue();
  state_ = State::kReadingBody;
  body_received_ = 0;
  if (context_->options.body_timeout > 0 && framing.body != BodyKind::kNone) {
    arm_timeout(context_->body_timeouts, context_->options.body_timeout);
  }
  switch (framing.body) {
    case BodyKind::kNone:
      dispatch_request();
      break;
    case BodyKind::kContentLength:
      request_->body.reserve(std::min<uint64_t>(framing.content_length,
                                                context_->options.chunk_size));
      read_fixed_body(framing.content_length);
      break;
    case BodyKind::kChunked:
      read_chunk_header();
      break;
  }
}

// Parses the head and checks its framing; answers the error and returns false
// when the request cannot be served.
bool HTTP1Connection::start_request(std::string_view head,
                                    RequestFraming& framing) {
  RequestHead parsed;
  try {
    parsed = parse_request_head(head);
  } catch (const HTTPInputError& e) {
    send_error(400, e.what());
    return false;
  }
  framing = check_request_framing(parsed.start_line.version, parsed.headers,
                                  context_->options.max_body_size);
  if (framing.error_status != 0) {
    send_error(framing.error_status, framing.error_reason);
    return false;
  }
  // RFC 9110 §9.3.6: CONNECT asks for a tunnel, and eddy has none. What
  // follows the head would be the tunnel's bytes: none of it may be read
  // as a body or parsed as a request, so answer and close (the lingering
  // close discards it).
  if (std::string_view(parsed.start_line.method) == "CONNECT") {
    send_error(501, "CONNECT: no tunnels here");
    return false;
  }
  request_keep_alive_ =
      !context_->options.no_keep_alive &&
      request_allows_keep_alive(parsed.start_line.version, parsed.headers);
  request_ = std::make_shared<HTTPServerRequest>();
  HTTPServerRequest& request = *request_;
  request.connection = this;
  // When the event carrying the head arrived (iteration_time(): no clock read
  // of its own; finish_request reads the clock once for the access log).
  request.start_time_ =
      std::chrono::duration<double>(
          stream_->io_loop().iteration_time().time_since_epoch())
          .count();
  request.method = std::move(parsed.start_line.method);
  request.uri = std::move(parsed.start_line.path);
  request.version = std::move(parsed.start_line.version);
  request.headers = std::move(parsed.headers);
  request.remote_ip = peer_ip_;
  response_mode_ = ResponseMode::kNone;
  response_status_ = 0;
  return true;
}

void HTTP1Connection::dispatch_request() {
  disarm_timeout();
  state_ = State::kHandling;
  HTTPServerRequest& request = *request_;
  try {
    if (context_->options.decompress_request && !decompress_body()) return;
    fill_request_details(request, peer_ip_, context_->protocol,
                         context_->options);
  } catch (const HTTPInputError& e) {
    send_error(400, e.what());
    return;
  }
  // Keep the request alive through the callback even if the connection
  // closes inside it.
  std::shared_ptr<HTTPServerRequest> keep = request_;
  try {
    context_->request_callback(request);
  } catch (const std::exception& e) {
    log(LogChannel::kApplication, LogLevel::kError,
        std::string("Uncaught exception in request callback for ") +
            request.method + " " + request.uri + ": " + e.what());
    if (state_ != State::kHandling || request.finished()) return;
    if (response_mode_ == ResponseMode::kNone) {
      send_error(500, "exception in the request callback");
    } else {
      close();
    }
  } catch (...) {
    log(LogChannel::kApplication, LogLevel::kError,
        "Uncaught non-standard exception");
    if (state_ == State::kHandling && !request.finished()) {
      if (response_mode_ == ResponseMode::kNone) {
        send_error(500, "exception in the request callback");
      } else {
        close();
      }
    }
  }
}

// Called by finish() once the response is complete.
// DOC: finish-request. (README.md, "Keep-alive".)
void HTTP1Connection::finish_request() {
  request_->finish_time_ = stream_->io_loop().time();
  log_access();
  request_->connection = nullptr;
  request_.reset();
  // A stream that closed outside its own callbacks (a write from a timer
  // that met a reset) runs on_stream_close only on the next iteration: there
  // is no next request to read, and finish() must not throw.
  if (state_ != State::kHandling || stream_->closed()) return;
  if (!response_keep_alive_ || close_when_idle_) {
    close_after_flush();
    return;
  }
  if (stream_->write_buffer_size() <= kMaxPendingOutput) {
    read_next_request();
    return;
  }
  // The client is not reading what we send: take no new request until it
  // has (the state stays kHandling, with no request, meanwhile).
  stream_->write(std::string(), member_callback([](HTTP1Connection& self) {
                   if (self.state_ == State::kHandling && !self.request_)
                     self.read_next_request();
                 }));
}

// ---- Closing and timers -----------------------------------------------------

void HTTP1Connection::close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  stream_->close();  // Runs on_stream_close.
}

void HTTP1Connection::on_stream_close() {
  state_ = State::kClosed;
  disarm_timeout();
  if (request_) {
    request_->connection = nullptr;
    request_.reset();
  }
  // The server may drop its reference here; the caller holds one.
  if (context_->on_close) context_->on_close(this);
}

void HTTP1Connection::close_after_flush() {
  if (stream_->closed()) return;
  state_ = State::kLingering;
  stream_->write(std::string(),
                 member_callback([](HTTP1Connection& self) { self.close(); }));
}

// After an error response: flush it, stop sending, drain what the client
// still sends for a moment (discarding it), then close.
void HTTP1Connection::linger_and_close() {
  if (stream_->closed()) return;
  state_ = State::kLingering;
  arm_timeout(context_->linger_timeouts, kLingerSeconds);
  stream_->write(std::string(), member_callback([](HTTP1Connection& self) {
                   self.stream_->shutdown_write();  // TLS: close_notify.
                   self.drain_input();
                 }));
}

void HTTP1Connection::drain_input() {
  if (stream_->closed() || stream_->reading()) return;
  stream_->read_bytes(
      kDrainChunk, member_callback([](HTTP1Connection& self, std::string_view) {
        self.drain_input();
      }),
      /*partial=*/true);
}

void HTTP1Connection::arm_timeout(TimeoutList& list, double seconds) {
  list.arm(*this, stream_->io_loop(),
           stream_->io_loop().iteration_time() +
               std::chrono::duration_cast<IOLoop::Clock::duration>(
                   std::chrono::duration<double>(seconds)));
}

// Idle, slow head, slow body or the end of a lingering close: close without
// a response, as Tornado.
void HTTP1Connection::on_deadline() {
  auto self = shared_from_this();
  close();
}

}  // namespace eddy
