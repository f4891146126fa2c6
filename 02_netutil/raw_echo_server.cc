// raw_echo_server: echoes every byte back, built only from bind_sockets,
// add_accept_handler and IOLoop::add_handler (see raw_echo.h for the
// bookkeeping this takes, and README.md for why chapter 03 takes it away).
//
//   tools/bazel run //02_netutil:raw_echo_server -- --port=8888
//   printf 'hello\n' | nc -q1 127.0.0.1 8888
#include <gflags/gflags.h>

#include <cstdio>
#include <exception>

#include "01_ioloop/ioloop.h"
#include "02_netutil/netutil.h"
#include "02_netutil/raw_echo.h"

DEFINE_int32(port, 8888, "TCP port to listen on (0: an ephemeral port)");
DEFINE_string(address, "",
              "address to bind (empty: every interface, v4 and v6)");

int main(int argc, char** argv) {
  gflags::SetUsageMessage("a raw TCP echo server (eddy chapter 02)");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  try {
    std::vector<eddy::Socket> listeners =
        eddy::bind_sockets(FLAGS_port, FLAGS_address);
    for (const eddy::Socket& listener : listeners) {
      std::printf(
          "raw_echo_server listening on %s\n",
          eddy::SocketAddress::local_of(listener.get()).to_string().c_str());
    }
    std::fflush(stdout);
    eddy::IOLoop& io_loop = eddy::IOLoop::current();
    eddy::examples::RawEchoServer server(std::move(listeners), io_loop);
    io_loop.start();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "raw_echo_server: %s\n", error.what());
    return 1;
  }
  return 0;
}
