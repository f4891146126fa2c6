// idle_memory: heap bytes one idle keep-alive connection costs eddy's
// HTTPServer, measured in one process without noise.
//
// Opens N client sockets to an in-process HTTPServer on 127.0.0.1, sends one
// "GET /" on each, reads every response, and once all N are idle reports
// glibc's in-use heap (mallinfo2().uordblks: chunk sizes, headers included)
// before and after, divided by N. The RSS measurement of bench/run.sh
// (scenario 4) also counts page rounding and the kernel-side fd tables; this
// one isolates what the server's own objects cost, so a change to a
// connection's layout shows up to the byte.
//
//   tools/bazel run -c opt //bench:idle_memory -- [N]   (default 2000; needs
//   2N descriptors, so N up to about 9,000 under a hard limit of 20,000)
#include <malloc.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "01_ioloop/ioloop.h"
#include "05_httpserver/httpserver.h"

namespace {

size_t heap_in_use() { return mallinfo2().uordblks; }

void handle_request(eddy::HTTPServerRequest& request) {
  std::string message = "You requested " + request.uri + "\n";
  request.write("HTTP/1.1 200 OK\r\nContent-Length: " +
                std::to_string(message.size()) + "\r\n\r\n" + message);
  request.finish();
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2000;
  // Both ends of every connection live in this process: 2N descriptors.
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (2 * count + 100 > limit.rlim_cur) {
    std::fprintf(stderr,
                 "idle_memory: %zu connections need %zu descriptors; the "
                 "limit is %llu (ulimit -Hn)\n",
                 count, 2 * count + 100,
                 static_cast<unsigned long long>(limit.rlim_cur));
    return 1;
  }
  eddy::IOLoop loop;
  eddy::HTTPServer server(handle_request, {}, loop);
  server.listen(0, "127.0.0.1");
  int port = server.listening_addresses().at(0).port();
  std::vector<int> clients;
  clients.reserve(count);
  // Warm up: one connection through its whole life, so one-time allocations
  // (the loop's vectors, the date cache, free lists) are not counted.
  auto run_batch = [&](size_t n, std::vector<int>& fds) {
    // In batches, each accepted before the next: a burst larger than the
    // listen backlog would have the kernel drop handshakes and retry them
    // a second later.
    for (size_t i = 0; i < n; ++i) {
      fds.push_back(connect_to(port));
      if (fds.size() % 100 == 0 || i + 1 == n) {
        loop.run_until([&] { return server.connection_count() >= fds.size(); },
                       30);
      }
    }
    std::vector<size_t> received(fds.size(), 0);
    for (int fd : fds) {
      const char request[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
      (void)!::write(fd, request, sizeof request - 1);
    }
    size_t done = 0;
    loop.run_until(
        [&] {
          for (size_t i = 0; i < fds.size(); ++i) {
            char buffer[256];
            ssize_t n = ::read(fds[i], buffer, sizeof buffer);
            if (n > 0 && received[i] == 0) {
              received[i] = static_cast<size_t>(n);
              done++;
            }
          }
          return done == fds.size();
        },
        30);
    return done;
  };
  std::vector<int> warm;
  run_batch(64, warm);
  for (int fd : warm) ::close(fd);
  loop.run_until([&] { return server.connection_count() == 0; }, 10);
  malloc_trim(0);
  size_t before = heap_in_use();
  size_t done = run_batch(count, clients);
  size_t after = heap_in_use();
  if (done != count) {
    std::fprintf(stderr, "idle_memory: only %zu of %zu responses\n", done,
                 count);
    return 1;
  }
  std::printf("%zu idle connections: %zu heap bytes each\n", count,
              (after - before) / count);
  for (int fd : clients) ::close(fd);
  return 0;
}
