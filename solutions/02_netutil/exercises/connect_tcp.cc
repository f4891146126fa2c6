// Reference solution of exercise 02.2 (02_netutil/exercises/connect_tcp.h).
//
// One shared Attempt holds the socket, the timeout handle and the callback;
// the WRITE handler and the timeout both capture it. Whichever runs first
// calls finish(), which removes the other, and then reports exactly once.
#include "02_netutil/exercises/connect_tcp.h"

#include <sys/socket.h>

#include <cerrno>
#include <memory>

namespace eddy::exercises {

namespace {

struct Attempt {
  IOLoop* loop;
  Socket socket;
  ConnectCallback callback;
  TimeoutHandle timeout;
  bool watching = false;
  bool done = false;

  void finish(int error) {
    if (done) return;
    done = true;
    if (watching) loop->remove_handler(socket.get());
    if (timeout) loop->remove_timeout(timeout);
    ConnectCallback cb = std::move(callback);
    if (error != 0) {
      socket.reset();
      cb(Socket(), std::error_code(error, std::generic_category()));
    } else {
      cb(std::move(socket), std::error_code());
    }
  }
};

// Reports `error` (0: success) on the loop's next iteration.
void report_later(const std::shared_ptr<Attempt>& attempt, int error) {
  attempt->loop->add_callback([attempt, error] { attempt->finish(error); });
}

}  // namespace

void connect_to(IOLoop& loop, const SocketAddress& address, double timeout,
                ConnectCallback callback) {
  auto attempt = std::make_shared<Attempt>();
  attempt->loop = &loop;
  attempt->callback = std::move(callback);
  attempt->socket.reset(::socket(
      address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!attempt->socket) return report_later(attempt, errno);

  int rc = ::connect(attempt->socket.get(),
                     reinterpret_cast<const sockaddr*>(&address.storage),
                     address.length);
  if (rc == 0) return report_later(attempt, 0);
  if (errno != EINPROGRESS) return report_later(attempt, errno);

  loop.add_handler(
      attempt->socket.get(),
      [attempt](int fd, uint32_t) {
        int error = 0;
        socklen_t length = sizeof(error);
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
          error = errno;
        attempt->finish(error);
      },
      IOLoop::WRITE);
  attempt->watching = true;
  if (timeout > 0) {
    attempt->timeout = loop.call_later(timeout, [attempt] {
      attempt->timeout = TimeoutHandle{};
      attempt->finish(ETIMEDOUT);
    });
  }
}

}  // namespace eddy::exercises
