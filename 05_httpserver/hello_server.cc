// The tutorial's example, byte for byte: every request is answered with
// "You requested <uri>\n" through the raw API.
//
//   tools/bazel run //05_httpserver:hello_server -- --port=8888
#include <gflags/gflags.h>

#include <cstdio>
#include <exception>
#include <string>

#include "01_ioloop/ioloop.h"
#include "05_httpserver/httpserver.h"
#include "05_httpserver/stop_on_signals.h"

DEFINE_int32(port, 8888, "TCP port to listen on (0 picks a free one)");
DEFINE_string(address, "", "address to listen on (empty: every interface)");

static bool valid_port(const char*, int32_t value) {
  return value >= 0 && value <= 65535;
}
DEFINE_validator(port, &valid_port);

void handle_request(eddy::HTTPServerRequest& request) {
  std::string message = "You requested " + request.uri + "\n";
  request.write("HTTP/1.1 200 OK\r\nContent-Length: " +
                std::to_string(message.size()) + "\r\n\r\n" + message);
  request.finish();
}

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "the tutorial's HTTP server: answers \"You requested <uri>\"");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  try {
    eddy::IOLoop& loop = eddy::IOLoop::instance();
    eddy::HTTPServer server(handle_request);
    server.listen(FLAGS_port, FLAGS_address);
    auto signals = eddy::stop_on_signals(loop);
    std::printf("hello_server listening on %s\n",
                eddy::describe_listening(server).c_str());
    std::fflush(stdout);
    loop.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hello_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
