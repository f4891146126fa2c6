// Test support for the exercises (given; not graded): an HTTPServer on
// 127.0.0.1 with a request callback, and a fetch() that sends raw request
// bytes through chapter 05's RawClient and parses the response.
#ifndef EDDY_05_HTTPSERVER_EXERCISES_TEST_SERVER_H_
#define EDDY_05_HTTPSERVER_EXERCISES_TEST_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "05_httpserver/httpserver.h"
#include "05_httpserver/test_client.h"

namespace eddy::exercises::testing {

struct TestServer {
  IOLoop loop;
  std::unique_ptr<HTTPServer> server;
  int port = 0;

  explicit TestServer(HTTPServer::RequestCallback callback) {
    server = std::make_unique<HTTPServer>(std::move(callback),
                                          HTTPServerOptions{}, loop);
    server->listen(0, "127.0.0.1");
    port = server->listening_addresses().at(0).port();
  }

  // Sends `request` (raw bytes) on a new connection and returns the
  // response; code 0 when none arrived within 5 seconds.
  eddy::testing::Response fetch(const std::string& request,
                                const std::string& method = "GET") {
    eddy::testing::RawClient client(loop, port);
    client.send(request);
    std::vector<std::string> methods{method};
    loop.run_until(
        [&] {
          return eddy::testing::count_final_responses(
                     client.received(), methods, client.closed()) >= 1;
        },
        5.0);
    auto responses = eddy::testing::parse_responses(client.received(), methods,
                                                    client.closed());
    for (auto& r : responses)
      if (r.code >= 200) return r;
    return {};
  }

  // A GET of `path` with extra header lines ("Name: value\r\n" each).
  eddy::testing::Response get(const std::string& path,
                              const std::string& headers = "") {
    return fetch("GET " + path + " HTTP/1.1\r\nHost: test\r\n" + headers +
                 "\r\n");
  }
};

}  // namespace eddy::exercises::testing

#endif  // EDDY_05_HTTPSERVER_EXERCISES_TEST_SERVER_H_
