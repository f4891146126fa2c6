// Shared by the hardening tests (testonly): an echo server fixture on one
// IOLoop, request builders, an exchange runner that checks every response
// byte for byte, and a descriptor counter.
#ifndef EDDY_HARDENING_TEST_SUPPORT_H_
#define EDDY_HARDENING_TEST_SUPPORT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "05_httpserver/httpserver.h"
#include "05_httpserver/test_client.h"

namespace eddy::hardening {

// Answers 200 with the request body as the response body and the URI in
// X-Echo-Uri (the framed API, Content-Length).
void echo_handler(HTTPServerRequest& request);

// A POST (or a GET when `body` is empty) for `uri` with a Content-Length.
std::string make_request(const std::string& uri, const std::string& body);

// `size` bytes of a pattern that depends on `seed` (so a shifted or mixed-up
// body does not compare equal).
std::string make_body(size_t size, unsigned seed);

// Open descriptors of this process (entries of /proc/self/fd, less the one
// used to list them).
size_t open_fd_count();

// Raises RLIMIT_NOFILE's soft limit to min(want, hard); returns the new soft
// limit.
size_t raise_fd_limit(size_t want);

// What one connection of an exchange sends and must get back.
struct PlannedRequest {
  std::string uri;
  std::string body;
};

struct ExchangeOptions {
  size_t connections = 6;
  size_t requests_per_connection = 12;
  std::vector<size_t> body_sizes = {0, 1, 100, 3000, 40000};
  // A connection the server closed before answering anything is opened
  // again and its requests sent again (how a client survives EMFILE
  // shedding), up to this many times in all.
  size_t reconnects = 0;
  // A connection closed part-way is acceptable (ECONNRESET schedules): its
  // answered prefix is still checked.
  bool allow_partial = false;
  double deadline_seconds = 60;
};

struct ExchangeResult {
  std::string failure;   // Empty when every check passed.
  size_t answered = 0;   // Responses checked and correct.
  size_t expected = 0;   // Requests sent.
  size_t cut_short = 0;  // Connections closed before all their answers.
  size_t reconnected = 0;
};

// Opens `connections` clients to 127.0.0.1:port, pipelines every request of
// each at once, drives `loop` until all are answered (or closed), and checks
// each response: status 200, X-Echo-Uri, body byte for byte, in order.
ExchangeResult run_echo_exchange(IOLoop& loop, int port,
                                 const ExchangeOptions& options);

// An echo HTTPServer on 127.0.0.1, port 0.
struct EchoServer {
  explicit EchoServer(IOLoop& loop, HTTPServerOptions options = {});
  std::unique_ptr<HTTPServer> server;
  int port = 0;
};

}  // namespace eddy::hardening

#endif  // EDDY_HARDENING_TEST_SUPPORT_H_
