#include "hardening/fuzz/http1_fuzz.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"
#include "02_netutil/socket_address.h"
#include "03_iostream/iostream.h"
#include "05_httpserver/http1connection.h"
#include "05_httpserver/test_client.h"
#include "hardening/fuzz/reference_framing.h"

namespace eddy::fuzz {
namespace {

constexpr size_t kHeaderSizes[] = {64, 256, 1024, 65536};
constexpr size_t kBodySizes[] = {0, 16, 100, 4096};

// What the echo handler answers for a request: names it completely.
std::string echo_body(std::string_view method, std::string_view path,
                      std::string_view body) {
  std::string out;
  out.append(method).append(" ").append(path).append("\n").append(body);
  return out;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool contains_nocase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && lower(haystack[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

// Request heads the server could find in `bytes`: its own rule, \r?\n\r?\n.
size_t count_head_ends(std::string_view bytes) {
  size_t count = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    if (i + 1 < bytes.size() && bytes[i + 1] == '\n') {
      ++count;
    } else if (i + 2 < bytes.size() && bytes[i + 1] == '\r' &&
               bytes[i + 2] == '\n') {
      ++count;
    }
  }
  return count;
}

class Harness {
 public:
  Harness(uint8_t options, bool extras, std::string_view payload)
      : extras_(extras),
        max_header_size_(kHeaderSizes[options & 3]),
        max_body_size_(kBodySizes[(options >> 2) & 3]),
        shutdown_at_end_((options >> 4) & 1),
        payload_(payload) {}

  std::string run(uint8_t split_mode, uint8_t seed);

 private:
  void setup();
  void teardown();
  void quiesce(int idle_iterations);
  bool drain_client();
  std::string check();
  size_t next_piece_size(uint8_t split_mode);

  const bool extras_;  // decompress_request and xheaders.
  const size_t max_header_size_;
  const size_t max_body_size_;
  const bool shutdown_at_end_;
  const std::string_view payload_;

  IOLoop loop_;
  FileDescriptor client_;
  FileDescriptor always_ready_;
  std::shared_ptr<HTTP1ServerContext> context_;
  std::shared_ptr<HTTP1Connection> connection_;
  std::string sent_;
  std::string received_;
  bool peer_closed_ = false;
  bool client_shut_down_ = false;
  std::vector<std::string> methods_;  // Of the requests the handler saw.
  uint32_t rng_ = 0;
};

void Harness::setup() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                   fds) != 0) {
    std::abort();
  }
  client_ = FileDescriptor(fds[0]);
  Socket server_socket(fds[1]);
  SocketAddress address = SocketAddress::peer_of(server_socket.get());

  // An eventfd that is always readable keeps epoll_wait from blocking, so
  // one loop iteration costs microseconds and "nothing moved for a few
  // iterations" is a cheap, deterministic quiescence test.
  always_ready_ = FileDescriptor(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));
  loop_.add_handler(
      always_ready_.get(), [](int, uint32_t) {}, IOLoop::READ);

  context_ = std::make_shared<HTTP1ServerContext>();
  context_->options.max_header_size = max_header_size_;
  context_->options.max_body_size = max_body_size_;
  context_->options.chunk_size = 64;  // Small reads: more code paths.
  context_->options.decompress_request = extras_;
  context_->options.xheaders = extras_;
  context_->request_callback = [this](HTTPServerRequest& request) {
    methods_.push_back(request.method);
    std::string body = echo_body(request.method, request.uri, request.body);
    HTTPHeaders headers;
    headers.add("Content-Length", std::to_string(body.size()));
    request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                          std::move(headers));
    request.write(std::move(body));
    request.finish();
  };
  auto stream = IOStream::create(
      std::move(server_socket), loop_,
      std::max<size_t>(kDefaultMaxBufferSize, max_header_size_ * 2),
      context_->options.chunk_size);
  connection_ =
      std::make_shared<HTTP1Connection>(std::move(stream), address, context_);
  context_->on_close = [this](HTTP1Connection*) { /* kept until teardown */ };
  connection_->start();
}

void Harness::teardown() {
  connection_->close();
  quiesce(3);
  connection_.reset();
  context_.reset();
  quiesce(3);
  loop_.remove_handler(always_ready_.get());
  loop_.close();
}

// Reads everything the server sent so far; true when anything moved.
bool Harness::drain_client() {
  bool moved = false;
  char buffer[4096];
  while (!peer_closed_) {
    ssize_t n = ::recv(client_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      received_.append(buffer, static_cast<size_t>(n));
      moved = true;
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      peer_closed_ = true;
      moved = true;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return moved;
}

void Harness::quiesce(int idle_iterations) {
  int idle = 0;
  loop_.run_until(
      [&] {
        if (drain_client()) {
          idle = 0;
        } else {
          ++idle;
        }
        return idle > idle_iterations;
      },
      10.0);
}

size_t Harness::next_piece_size(uint8_t split_mode) {
  if (split_mode == 0) return SIZE_MAX;
  if (split_mode == 1) return 1;
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 17;
  rng_ ^= rng_ << 5;
  return 1 + rng_ % (size_t{1} << split_mode);
}

std::string Harness::check() {
  ReferenceFraming reference =
      frame_requests(sent_, max_header_size_, max_body_size_);
  std::vector<testing::Response> responses;
  size_t consumed = 0;
  try {
    responses =
        testing::parse_responses(received_, methods_, peer_closed_, &consumed);
  } catch (const std::exception& e) {
    return std::string("unparseable response: ") + e.what();
  }
  if (consumed != received_.size())
    return "the server's output does not end with a complete response";

  const size_t expected = reference.complete.size();
  size_t final_index = 0;
  size_t ok_beyond = 0;
  bool error_seen = false;
  bool continue_allowed = contains_nocase(sent_, "100-continue");
  for (const testing::Response& response : responses) {
    if (error_seen) return "a response after an error response";
    if (response.code < 200) {
      if (response.code != 100 || !continue_allowed)
        return "unexpected 1xx response " + std::to_string(response.code);
      continue;
    }
    if (final_index < expected) {
      const ReferenceRequest& request = reference.complete[final_index];
      if (response.code != 200)
        return "status " + std::to_string(response.code) +
               " for complete well-formed request #" +
               std::to_string(final_index);
      if (response.body !=
          echo_body(request.method, request.path, request.body))
        return "wrong or out-of-order response to request #" +
               std::to_string(final_index);
    } else if (response.code >= 400) {
      if (reference.rest != ReferenceFraming::Rest::kUnknown)
        return "error " + std::to_string(response.code) +
               " while the stream is well-formed so far";
    } else {
      ++ok_beyond;
    }
    if (response.code >= 400) error_seen = true;
    ++final_index;
  }
  if (error_seen && !peer_closed_) return "no close after an error response";
  if (!error_seen && final_index < expected)
    return "only " + std::to_string(final_index) + " responses to " +
           std::to_string(expected) + " complete requests";
  std::string_view rest = std::string_view(sent_).substr(reference.consumed);
  if (reference.rest != ReferenceFraming::Rest::kUnknown) {
    if (ok_beyond > 0) return "a response before its request was complete";
    if (peer_closed_ && !client_shut_down_)
      return "the server closed a connection whose input is well-formed";
  } else if (ok_beyond > count_head_ends(rest)) {
    return "more responses than request heads sent";
  }
  return {};
}

std::string Harness::run(uint8_t split_mode, uint8_t seed) {
  setup();
  rng_ = 0x9e3779b9u ^ (uint32_t{seed} * 0x01000193u);
  if (rng_ == 0) rng_ = 1;
  std::string failure;
  size_t position = 0;
  while (position < payload_.size() && failure.empty()) {
    size_t size =
        std::min(next_piece_size(split_mode), payload_.size() - position);
    ssize_t n = ::send(client_.get(), payload_.data() + position, size,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) break;  // The server closed (or stopped reading): stop.
    sent_.append(payload_.substr(position, static_cast<size_t>(n)));
    position += static_cast<size_t>(n);
    // The last piece and the FIN may arrive together (as from `nc -N`).
    if (position == payload_.size() && shutdown_at_end_) {
      ::shutdown(client_.get(), SHUT_WR);
      client_shut_down_ = true;
    }
    quiesce(3);
    failure = check();
  }
  if (failure.empty() && shutdown_at_end_ && !client_shut_down_) {
    ::shutdown(client_.get(), SHUT_WR);
    client_shut_down_ = true;
  }
  if (failure.empty()) {
    quiesce(20);
    failure = check();
  }
  teardown();
  if (std::getenv("EDDY_FUZZ_VERBOSE") != nullptr) {
    std::fprintf(stderr,
                 "sent %zu bytes, received %zu bytes, %zu handled%s\n%s\n",
                 sent_.size(), received_.size(), methods_.size(),
                 peer_closed_ ? ", closed" : "", received_.c_str());
  }
  return failure;
}

}  // namespace

std::string run_http1_input(std::string_view input) {
  if (input.size() < 2) return {};
  uint8_t options = static_cast<uint8_t>(input[0]);
  uint8_t seed = static_cast<uint8_t>(input[1]);
  Harness harness(options, (seed & 0x80) != 0, input.substr(2));
  return harness.run(static_cast<uint8_t>(options >> 5),
                     static_cast<uint8_t>(seed & 0x7f));
}

}  // namespace eddy::fuzz
