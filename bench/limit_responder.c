// The "machine limit" reference of bench/run.sh: the least work an HTTP/1.1
// keep-alive server can do and still answer wrk correctly.
//
// It parses nothing. Each read(2) is scanned for "\r\n\r\n" (a match may
// straddle two reads), and the read is answered with one write(2) carrying
// one fixed response per terminator found. Level-triggered epoll, one loop
// per process; with --processes=N the parent binds, forks N children that
// share the listening socket, and waits. No timeouts, no limits, no logging:
// it is a yardstick, not a server.
//
//   limit_responder PORT [PROCESSES]
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char kResponse[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\nYou requested /\n";
enum { kResponseSize = sizeof kResponse - 1, kMaxFd = 1 << 17 };

// How many bytes of "\r\n\r\n" the previous read of each fd ended with.
static unsigned char matched[kMaxFd];
static char in[64 * 1024];
static char out[(64 * 1024 / 4 + 1) * kResponseSize];

static void die(const char* what) {
  perror(what);
  exit(1);
}

// Writes all of buf, waiting for POLLOUT when the socket buffer is full
// (rare: a response batch is far smaller than the socket buffer).
static int write_all(int fd, const char* buf, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, buf, size);
    if (n > 0) {
      buf += n;
      size -= (size_t)n;
    } else if (n < 0 && errno == EAGAIN) {
      struct pollfd p = {.fd = fd, .events = POLLOUT};
      poll(&p, 1, 1000);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return -1;
    }
  }
  return 0;
}

static void serve(int listener) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) < 0) die("epoll_ctl");
  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("epoll_wait");
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        for (;;) {
          int c = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;  // EAGAIN (another process took it) or EMFILE
          if (c >= kMaxFd) {
            close(c);
            continue;
          }
          int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          matched[c] = 0;
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      ssize_t got = read(fd, in, sizeof in);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got <= 0) {
        close(fd);  // also removes it from the epoll set
        continue;
      }
      // Count terminators with a 4-state matcher carried across reads.
      unsigned state = matched[fd];
      size_t count = 0;
      for (ssize_t k = 0; k < got; ++k) {
        char ch = in[k];
        if (ch == (state % 2 == 0 ? '\r' : '\n')) {
          if (++state == 4) {
            ++count;
            state = 0;
          }
        } else {
          state = ch == '\r' ? 1 : 0;
        }
      }
      matched[fd] = (unsigned char)state;
      if (count == 0) continue;
      for (size_t k = 0; k < count; ++k)
        memcpy(out + k * kResponseSize, kResponse, kResponseSize);
      if (write_all(fd, out, count * kResponseSize) < 0) close(fd);
    }
  }
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PORT [PROCESSES]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int processes = argc > 2 ? atoi(argv[2]) : 1;
  signal(SIGPIPE, SIG_IGN);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listener < 0) die("socket");
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(listener, (struct sockaddr*)&addr, sizeof addr) < 0) die("bind");
  if (listen(listener, 4096) < 0) die("listen");
  printf("limit_responder listening on 127.0.0.1:%d (%d process%s)\n", port,
         processes, processes == 1 ? "" : "es");
  fflush(stdout);
  if (processes <= 1) serve(listener);
  for (int i = 0; i < processes; ++i) {
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      signal(SIGTERM, SIG_DFL);
      serve(listener);
    }
  }
  // The parent only waits; SIGTERM to it is forwarded to the group by the
  // harness (it kills the process group).
  while (wait(NULL) > 0) {
  }
  return 0;
}
