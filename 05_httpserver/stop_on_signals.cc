#include "05_httpserver/stop_on_signals.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace eddy {

FileDescriptor stop_on_signals(IOLoop& io_loop) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) {
    throw std::system_error(errno, std::generic_category(), "sigprocmask");
  }
  FileDescriptor fd(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) throw std::system_error(errno, std::generic_category(), "signalfd");
  io_loop.add_handler(
      fd.get(),
      [&io_loop](int signal_fd, uint32_t) {
        signalfd_siginfo info;
        while (::read(signal_fd, &info, sizeof info) ==
               static_cast<ssize_t>(sizeof info)) {
        }
        io_loop.stop();
      },
      IOLoop::READ);
  return fd;
}

std::string describe_listening(const TCPServer& server, const char* scheme) {
  std::string text;
  for (const SocketAddress& address : server.listening_addresses()) {
    if (!text.empty()) text += " and ";
    text += std::string(scheme) + "://" + address.to_string() + "/";
  }
  return text;
}

}  // namespace eddy
