// An HTTP echo server on the framed API: answers 200 with the request body
// (exact bytes, after de-chunking) and X-Echo-* headers describing the
// request. Every HTTPServer option is a flag, so the integration tests and
// curious readers can try each limit and timeout from the command line.
//
//   tools/bazel run //05_httpserver:echo_server -- --port=8888
//   --max_body_size=1024
#include <gflags/gflags.h>

#include <cstdio>
#include <exception>
#include <string>

#include "01_ioloop/ioloop.h"
#include "05_httpserver/httpserver.h"
#include "05_httpserver/stop_on_signals.h"

DEFINE_int32(port, 8888, "TCP port to listen on (0 picks a free one)");
DEFINE_string(address, "", "address to listen on (empty: every interface)");
DEFINE_uint64(max_header_size, 64 * 1024,
              "largest request head in bytes (431 above)");
DEFINE_uint64(max_body_size, 100 * 1024 * 1024,
              "largest request body in bytes (413 above)");
DEFINE_double(idle_connection_timeout, 3600,
              "seconds to wait for a complete request head");
DEFINE_double(body_timeout, 0, "seconds a request body may take (0: no limit)");
DEFINE_bool(no_keep_alive, false, "close every connection after one response");
DEFINE_bool(xheaders, false,
            "trust X-Real-Ip/X-Forwarded-For and X-Scheme/X-Forwarded-Proto");
DEFINE_string(certfile, "", "PEM certificate: with --keyfile, serve HTTPS");
DEFINE_string(keyfile, "", "PEM private key: with --certfile, serve HTTPS");

static bool valid_port(const char*, int32_t value) {
  return value >= 0 && value <= 65535;
}
DEFINE_validator(port, &valid_port);
static bool valid_seconds(const char*, double value) { return value >= 0; }
DEFINE_validator(body_timeout, &valid_seconds);
static bool positive_seconds(const char*, double value) { return value > 0; }
DEFINE_validator(idle_connection_timeout, &positive_seconds);
static bool positive_size(const char*, uint64_t value) { return value > 0; }
DEFINE_validator(max_header_size, &positive_size);

void echo(eddy::HTTPServerRequest& request) {
  eddy::HTTPHeaders headers;
  headers.add("Content-Type", "application/octet-stream");
  headers.add("Content-Length", std::to_string(request.body.size()));
  headers.add("X-Echo-Method", request.method);
  headers.add("X-Echo-Uri", request.uri);
  headers.add("X-Echo-Version", request.version);
  headers.add("X-Echo-Remote-Ip", request.remote_ip);
  headers.add("X-Echo-Protocol", request.protocol);
  headers.add("X-Echo-Body-Length", std::to_string(request.body.size()));
  request.write_headers(eddy::ResponseStartLine{"HTTP/1.1", 200, "OK"},
                        std::move(headers));
  request.write(std::move(request.body));
  request.finish();
}

eddy::HTTPServerOptions options_from_flags() {
  eddy::HTTPServerOptions options;
  options.max_header_size = FLAGS_max_header_size;
  options.max_body_size = FLAGS_max_body_size;
  options.idle_connection_timeout = FLAGS_idle_connection_timeout;
  options.body_timeout = FLAGS_body_timeout;
  options.no_keep_alive = FLAGS_no_keep_alive;
  options.xheaders = FLAGS_xheaders;
  if (FLAGS_certfile.empty() != FLAGS_keyfile.empty()) {
    throw std::invalid_argument("--certfile and --keyfile go together");
  }
  if (!FLAGS_certfile.empty()) {
    eddy::SSLOptions ssl;
    ssl.certfile = FLAGS_certfile;
    ssl.keyfile = FLAGS_keyfile;
    options.ssl_options = ssl;
  }
  return options;
}

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "an HTTP echo server showing every HTTPServer option");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  try {
    eddy::IOLoop& loop = eddy::IOLoop::instance();
    eddy::HTTPServerOptions options = options_from_flags();
    bool https = options.ssl_options.has_value();
    eddy::HTTPServer server(echo, std::move(options));
    server.listen(FLAGS_port, FLAGS_address);
    auto signals = eddy::stop_on_signals(loop);
    std::printf(
        "echo_server listening on %s\n",
        eddy::describe_listening(server, https ? "https" : "http").c_str());
    std::fflush(stdout);
    loop.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
