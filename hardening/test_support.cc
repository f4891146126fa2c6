#include "hardening/test_support.h"

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>

namespace eddy::hardening {

void echo_handler(HTTPServerRequest& request) {
  HTTPHeaders headers;
  headers.add("Content-Length", std::to_string(request.body.size()));
  headers.add("X-Echo-Uri", request.uri);
  request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                        std::move(headers));
  request.write(request.body);
  request.finish();
}

std::string make_request(const std::string& uri, const std::string& body) {
  if (body.empty()) return "GET " + uri + " HTTP/1.1\r\nHost: test\r\n\r\n";
  return "POST " + uri + " HTTP/1.1\r\nHost: test\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string make_body(size_t size, unsigned seed) {
  std::string body(size, '\0');
  uint32_t x = 2463534242u ^ (seed * 2654435761u);
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    body[i] = static_cast<char>('a' + x % 26);
  }
  return body;
}

size_t open_fd_count() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  size_t count = 0;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // The directory's own descriptor.
}

size_t raise_fd_limit(size_t want) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  rlim_t target = std::min<rlim_t>(want, limit.rlim_max);
  if (limit.rlim_cur < target) {
    limit.rlim_cur = target;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

EchoServer::EchoServer(IOLoop& loop, HTTPServerOptions options) {
  server = std::make_unique<HTTPServer>(echo_handler, std::move(options), loop);
  server->listen(0, "127.0.0.1");
  port = server->listening_addresses().at(0).port();
}

namespace {

struct Connection {
  std::vector<PlannedRequest> plan;
  std::unique_ptr<testing::RawClient> client;
  size_t checked = 0;        // Responses verified so far.
  size_t bytes_checked = 0;  // received().size() at the last check.
  bool done = false;
};

std::string all_requests(const Connection& connection) {
  std::string bytes;
  for (const PlannedRequest& request : connection.plan)
    bytes += make_request(request.uri, request.body);
  return bytes;
}

// Verifies the responses received so far; returns a failure or "".
std::string check_responses(Connection& connection, size_t index) {
  std::vector<std::string> methods;
  for (const PlannedRequest& request : connection.plan)
    methods.push_back(request.body.empty() ? "GET" : "POST");
  std::vector<testing::Response> responses;
  try {
    responses =
        testing::parse_responses(connection.client->received(), methods, false);
  } catch (const std::exception& e) {
    return "connection " + std::to_string(index) +
           ": unparseable response: " + e.what();
  }
  for (size_t i = connection.checked; i < responses.size(); ++i) {
    const testing::Response& response = responses[i];
    if (i >= connection.plan.size())
      return "connection " + std::to_string(index) + ": extra response";
    const PlannedRequest& request = connection.plan[i];
    std::string where = "connection " + std::to_string(index) + ", request " +
                        std::to_string(i) + " (" + request.uri + ")";
    if (response.code != 200)
      return where + ": status " + std::to_string(response.code);
    auto uri = response.headers.get_first("X-Echo-Uri");
    if (!uri || *uri != request.uri) return where + ": wrong X-Echo-Uri";
    if (response.body != request.body)
      return where + ": body differs (got " +
             std::to_string(response.body.size()) + " bytes, want " +
             std::to_string(request.body.size()) + ")";
  }
  connection.checked = responses.size();
  if (connection.checked == connection.plan.size()) connection.done = true;
  return "";
}

}  // namespace

ExchangeResult run_echo_exchange(IOLoop& loop, int port,
                                 const ExchangeOptions& options) {
  ExchangeResult result;
  std::vector<Connection> connections(options.connections);
  for (size_t c = 0; c < connections.size(); ++c) {
    for (size_t r = 0; r < options.requests_per_connection; ++r) {
      size_t size =
          options.body_sizes[(c * 7 + r * 3) % options.body_sizes.size()];
      connections[c].plan.push_back(
          {"/c" + std::to_string(c) + "/r" + std::to_string(r),
           make_body(size, static_cast<unsigned>(c * 1000 + r))});
    }
    result.expected += connections[c].plan.size();
    connections[c].client = std::make_unique<testing::RawClient>(loop, port);
    connections[c].client->send(all_requests(connections[c]));
  }
  size_t reconnects_left = options.reconnects;
  auto all_settled = [&] {
    for (size_t c = 0; c < connections.size(); ++c) {
      Connection& connection = connections[c];
      if (connection.done) continue;
      size_t received = connection.client->received().size();
      if (received == connection.bytes_checked && !connection.client->closed())
        return false;
      connection.bytes_checked = received;
      std::string failure = check_responses(connection, c);
      if (!failure.empty()) {
        result.failure = failure;
        return true;
      }
      if (connection.done) continue;
      if (!connection.client->closed()) return false;
      // Closed before all answers arrived.
      if (connection.checked == 0 && connection.client->received().empty() &&
          reconnects_left > 0) {
        --reconnects_left;
        ++result.reconnected;
        connection.client = std::make_unique<testing::RawClient>(loop, port);
        connection.client->send(all_requests(connection));
        connection.bytes_checked = 0;
        return false;
      }
      if (!options.allow_partial) {
        result.failure = "connection " + std::to_string(c) + " closed after " +
                         std::to_string(connection.checked) + " of " +
                         std::to_string(connection.plan.size()) +
                         " responses (" +
                         std::to_string(connection.client->received().size()) +
                         " bytes received)";
        return true;
      }
      connection.done = true;
      ++result.cut_short;
    }
    return true;
  };
  if (!loop.run_until(all_settled, options.deadline_seconds) &&
      result.failure.empty()) {
    result.failure = "deadline passed with requests unanswered";
  }
  for (const Connection& connection : connections)
    result.answered += connection.checked;
  return result;
}

}  // namespace eddy::hardening
