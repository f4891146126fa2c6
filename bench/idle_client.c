// Scenario 4 of bench/run.sh: opens N keep-alive connections to a server,
// sends one "GET /" on each and reads its response, then holds them all open
// and idle so the harness can measure the server's memory.
//
//   idle_client PORT N
//
// Connections are opened in batches of kBatch: connect, send, and wait for
// every response of the batch with poll before starting the next one, so
// the listen backlog never overflows. Prints "ready <open>" when all are
// idle, then waits for a line on stdin, prints "alive <n>" (connections the
// server has not closed) and exits, closing them all.
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kBatch = 200 };
static const char kRequest[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
static const char kBody[] = "You requested /\n";

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s PORT N\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int total = atoi(argv[2]);
  struct rlimit limit;
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  if ((rlim_t)total + 16 > limit.rlim_cur) {
    fprintf(stderr, "idle_client: RLIMIT_NOFILE %lu is too low for %d\n",
            (unsigned long)limit.rlim_cur, total);
    return 1;
  }
  int* fds = calloc((size_t)total, sizeof(int));
  struct pollfd* polls = calloc(kBatch, sizeof(struct pollfd));
  char(*got)[256] = calloc(kBatch, 256);
  size_t* got_size = calloc(kBatch, sizeof(size_t));
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int open_count = 0;
  double deadline = now() + 120;
  for (int start = 0; start < total; start += kBatch) {
    int batch = total - start < kBatch ? total - start : kBatch;
    for (int i = 0; i < batch; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0 || connect(fd, (struct sockaddr*)&addr, sizeof addr) < 0 ||
          write(fd, kRequest, sizeof kRequest - 1) != sizeof kRequest - 1) {
        perror("idle_client: connect/write");
        return 1;
      }
      fds[start + i] = fd;
      polls[i] = (struct pollfd){.fd = fd, .events = POLLIN};
      got_size[i] = 0;
    }
    int pending = batch;
    while (pending > 0) {
      if (now() > deadline) {
        fprintf(stderr, "idle_client: timed out waiting for responses\n");
        return 1;
      }
      if (poll(polls, (nfds_t)batch, 1000) < 0 && errno != EINTR) {
        perror("poll");
        return 1;
      }
      for (int i = 0; i < batch; ++i) {
        if (polls[i].fd < 0 ||
            !(polls[i].revents & (POLLIN | POLLERR | POLLHUP)))
          continue;
        ssize_t n = read(polls[i].fd, got[i] + got_size[i], 255 - got_size[i]);
        if (n <= 0) {
          fprintf(stderr,
                  "idle_client: connection %d closed before its response\n",
                  start + i);
          return 1;
        }
        got_size[i] += (size_t)n;
        got[i][got_size[i]] = 0;
        if (strstr(got[i], kBody) != NULL) {
          polls[i].fd = -1;  // done: poll ignores negative fds
          --pending;
          ++open_count;
        }
      }
    }
  }
  printf("ready %d\n", open_count);
  fflush(stdout);
  char line[64];
  if (fgets(line, sizeof line, stdin) == NULL) return 0;
  int alive = 0;
  for (int i = 0; i < total; ++i) {
    struct pollfd p = {.fd = fds[i], .events = POLLIN | POLLRDHUP};
    if (poll(&p, 1, 0) == 0) ++alive;  // nothing to read: still open and idle
  }
  printf("alive %d\n", alive);
  fflush(stdout);
  return 0;
}
