// Test support (testonly): a raw HTTP client driven by the same IOLoop as the
// server under test, and a parser for what it receives. Deliberately built
// on add_handler and plain sockets rather than IOStream, so the server's
// tests do not trust the layer they exercise.
#ifndef EDDY_05_HTTPSERVER_TEST_CLIENT_H_
#define EDDY_05_HTTPSERVER_TEST_CLIENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "04_httputil/headers.h"

namespace eddy::testing {

// One connection to 127.0.0.1:port. Sends what it is given (buffering what
// the socket does not take yet) and collects every byte it receives.
class RawClient {
 public:
  RawClient(IOLoop& loop, int port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void send(std::string_view bytes);
  // Closes our sending side (the server sees EOF).
  void shutdown_write();
  // Closes with a TCP reset (SO_LINGER 0).
  void reset();

  const std::string& received() const { return received_; }
  void clear_received() { received_.clear(); }
  // The server closed the connection (EOF or reset).
  bool closed() const { return closed_; }
  bool sent_everything() const { return connected_ && pending_.empty(); }
  int fd() const { return fd_; }

 private:
  void on_events(uint32_t events);
  void flush();

  IOLoop& loop_;
  int fd_ = -1;
  std::string pending_;
  std::string received_;
  bool closed_ = false;
  bool connected_ = false;
};

struct Response {
  int code = 0;
  std::string reason;
  std::string version;
  HTTPHeaders headers;
  std::string body;
  std::string head;  // The raw head, including its final empty line.
};

// Parses responses from `bytes`, in order; `methods[i]` is the method of the
// i-th request (a HEAD response has no body). Informational (1xx) responses
// are returned as their own entries. Stops at the first incomplete response;
// `consumed` receives the bytes used. A close-delimited body (no
// Content-Length, not chunked) takes the rest when `peer_closed`.
std::vector<Response> parse_responses(
    std::string_view bytes, const std::vector<std::string>& methods = {},
    bool peer_closed = false, size_t* consumed = nullptr);

// Convenience: how many complete final (non-1xx) responses `bytes` holds.
size_t count_final_responses(std::string_view bytes,
                             const std::vector<std::string>& methods = {},
                             bool peer_closed = false);

}  // namespace eddy::testing

#endif  // EDDY_05_HTTPSERVER_TEST_CLIENT_H_
