// The tutorial's TCPServer example as a program: an echo server that reads a
// line, writes it back, and waits for the next one.
//
//   tools/bazel run //03_iostream:echo_server -- --port=8888
//   printf 'hello\n' | nc -q1 127.0.0.1 8888
#include <gflags/gflags.h>

#include <cstdio>
#include <memory>
#include <string>

#include "01_ioloop/ioloop.h"
#include "03_iostream/tcpserver.h"

DEFINE_int32(port, 8888, "TCP port to listen on (0 picks a free one)");
DEFINE_string(address, "", "address to bind; empty means every interface");

namespace {

class EchoServer : public eddy::TCPServer {
 public:
  void handle_stream(std::shared_ptr<eddy::IOStream> stream,
                     const eddy::SocketAddress&) override {
    echo(stream);
  }

 private:
  // Tornado's `while True: data = await stream.read_until(b"\n");
  // await stream.write(data)`, as callbacks. The read callback owns the
  // stream; when the client leaves, the stream closes and drops it.
  static void echo(const std::shared_ptr<eddy::IOStream>& stream) {
    stream->read_until("\n", [stream](std::string_view line) {
      stream->write(std::string(line));
      echo(stream);
    });
  }
};

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("echo_server: the tutorial's TCPServer example");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  EchoServer server;
  server.listen(FLAGS_port, FLAGS_address);
  for (const eddy::SocketAddress& address : server.listening_addresses()) {
    std::printf("echo_server listening on %s\n", address.to_string().c_str());
  }
  std::fflush(stdout);
  eddy::IOLoop::instance().start();
  return 0;
}
