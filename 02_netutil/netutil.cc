// bind_unix_socket, add_accept_handler, is_valid_ip and the glue around
// listener.cc (bind_sockets, accept_ready): Tornado's netutil.py over the raw
// socket API. The error rule is the one netutil.h states: setup throws
// std::system_error naming the address, a running listener never throws (the
// accept callback's own exceptions excepted, which the IOLoop logs).
#include "02_netutil/netutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <system_error>
#include <utility>

#include "01_ioloop/log.h"
#include "02_netutil/listener.h"

namespace eddy {

namespace {

// getaddrinfo reports EAI_* codes, not errno values; this category turns
// them into std::system_error messages via gai_strerror.
class GaiCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "getaddrinfo"; }
  std::string message(int code) const override { return gai_strerror(code); }
};

const std::error_category& gai_category() {
  static const GaiCategory category;
  return category;
}

struct AddrinfoDeleter {
  void operator()(addrinfo* list) const { freeaddrinfo(list); }
};
using AddrinfoList = std::unique_ptr<addrinfo, AddrinfoDeleter>;

AddrinfoList getaddrinfo_passive(const char* node, int port, int family,
                                 int flags, int* rc) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  *rc = getaddrinfo(node, service.c_str(), &hints, &list);
  return AddrinfoList(*rc == 0 ? list : nullptr);
}

bool is_localhost(const std::string& address) {
  std::string name = address;
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.size() != 9) return false;
  for (char& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name == "localhost";
}

// getaddrinfo's lists for `address` (usually one list).
std::vector<AddrinfoList> resolve_lists(int port, const std::string& address,
                                        int family) {
  // AI_PASSIVE alone, as Tornado: AI_ADDRCONFIG would drop ::1 on hosts whose
  // only IPv6 address is the loopback one.
  int rc = 0;
  std::vector<AddrinfoList> lists;
  lists.push_back(
      getaddrinfo_passive(address.empty() ? nullptr : address.c_str(), port,
                          family, AI_PASSIVE, &rc));
  if (rc != 0 && is_localhost(address)) {
    // RFC 6761 §6.3: "localhost" is always the loopback address, even on a
    // machine whose resolver does not know it (a minimal system without
    // /etc/hosts, where glibc asks DNS). Fall back to the literals.
    lists.clear();
    int v4 = 0, v6 = 0;
    if (family != AF_INET6) {
      lists.push_back(
          getaddrinfo_passive("127.0.0.1", port, AF_INET, AI_NUMERICHOST, &v4));
    }
    if (family != AF_INET) {
      lists.push_back(
          getaddrinfo_passive("::1", port, AF_INET6, AI_NUMERICHOST, &v6));
    }
    if ((family == AF_INET6 || v4 != 0) && (family == AF_INET || v6 != 0)) {
      lists.clear();
    } else {
      rc = 0;
    }
  }
  if (rc != 0) {
    std::string what =
        "getaddrinfo '" + address + "' port " + std::to_string(port);
    if (rc == EAI_SYSTEM) throw_errno(errno, what);
    throw std::system_error(rc, gai_category(), what);
  }
  return lists;
}

}  // namespace

void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

std::vector<SocketAddress> resolve_passive(int port, const std::string& address,
                                           int family) {
  std::vector<AddrinfoList> lists = resolve_lists(port, address, family);
  // IPv4 first, as Tornado (which sorts by family): the v4 socket picks the
  // ephemeral port, in getaddrinfo's order within a family.
  std::vector<const addrinfo*> entries;
  for (const AddrinfoList& list : lists) {
    for (const addrinfo* info = list.get(); info != nullptr;
         info = info->ai_next) {
      entries.push_back(info);
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const addrinfo* a, const addrinfo* b) {
                     return a->ai_family < b->ai_family;
                   });
  std::vector<SocketAddress> addresses;
  std::set<std::string> seen;  // (family, sockaddr bytes) already listed.
  for (const addrinfo* info : entries) {
    if (info->ai_family != AF_INET && info->ai_family != AF_INET6) continue;
    if (info->ai_addrlen > sizeof(sockaddr_storage)) continue;
    std::string key(reinterpret_cast<const char*>(info->ai_addr),
                    info->ai_addrlen);
    if (!seen.insert(key).second) continue;  // getaddrinfo repeats entries.
    SocketAddress target;
    std::memcpy(&target.storage, info->ai_addr, info->ai_addrlen);
    target.length = info->ai_addrlen;
    // /etc/hosts may map localhost to a link-local v6 address, which cannot
    // be bound without its interface; Tornado skips those too.
    if (address == "localhost" && info->ai_family == AF_INET6 &&
        reinterpret_cast<const sockaddr_in6*>(&target.storage)->sin6_scope_id !=
            0) {
      continue;
    }
    addresses.push_back(target);
  }
  return addresses;
}

void set_port(SocketAddress& address, uint16_t port) {
  if (address.family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&address.storage)->sin_port = htons(port);
  } else if (address.family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&address.storage)->sin6_port = htons(port);
  }
}

Socket bind_unix_socket(const std::string& path, mode_t mode, int backlog) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path) ||
      path.find('\0') != std::string::npos) {
    throw_errno(ENAMETOOLONG, "bind_unix_socket '" + path + "'");
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  Socket sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno(errno, "socket " + path);
  struct stat info;
  if (::lstat(path.c_str(), &info) == 0) {
    // A socket file left by a previous run that did not unlink it; anything
    // else (a regular file, a directory) is somebody's data: leave it.
    if (!S_ISSOCK(info.st_mode)) {
      throw_errno(EEXIST, "bind_unix_socket: " + path + " is not a socket");
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      throw_errno(errno, "unlink " + path);
    }
  } else if (errno != ENOENT) {
    throw_errno(errno, "stat " + path);
  }
  if (::bind(sock.get(), reinterpret_cast<const sockaddr*>(&address),
             sizeof(address)) != 0) {
    throw_errno(errno, "bind " + path);
  }
  if (::chmod(path.c_str(), mode) != 0) throw_errno(errno, "chmod " + path);
  if (::listen(sock.get(), backlog) != 0) throw_errno(errno, "listen " + path);
  return sock;
}

// ---------------------------------------------------------------------------
// The accept handler: the glue around accept_ready (listener.cc).
//
// State shared by the epoll handler, the retry timeout and the remover. All of
// it is touched on the loop thread only. The handler lambda holds a
// shared_ptr, and the IOLoop keeps a removed handler alive until the end of
// its poll round, so the state outlives a remover called from inside the
// accept callback.
namespace {

struct AcceptState {
  Acceptor acceptor;  // What accept_ready works with.
  IOLoop* io_loop = nullptr;
  AcceptStats own_stats;    // Used when the caller gave none.
  TimeoutHandle retry;      // Pending resume after a pause, if any.
  bool registered = false;  // The listener is in the IOLoop's epoll set.
};

// A listener shared by worker processes (one accept per event) keeps no
// spare, so EMFILE pauses it instead of shedding: another worker may have
// descriptors left, and with IOLoop::EXCLUSIVE this one, blocked in
// epoll_wait with idle connections, would be woken first for every
// connection and close them all. Step aside.
bool wants_spare(const Acceptor& acceptor) { return acceptor.max_accepts > 1; }

void watch(const std::shared_ptr<AcceptState>& state);

// Stops watching the listener for kAcceptPauseSeconds, then watches it again.
// The pending connections wait in the kernel's backlog meanwhile.
void pause_accepting(const std::shared_ptr<AcceptState>& state) {
  if (state->acceptor.removed || !state->registered) return;
  state->io_loop->remove_handler(state->acceptor.listener);
  state->registered = false;
  state->acceptor.stats->pauses++;
  state->retry = state->io_loop->call_later(kAcceptPauseSeconds, [state] {
    state->retry = TimeoutHandle{};
    Acceptor& acceptor = state->acceptor;
    if (acceptor.removed) return;
    if (!acceptor.spare && wants_spare(acceptor)) acceptor.spare = open_spare();
    try {
      watch(state);
    } catch (const std::system_error& error) {
      log_error(std::string("accept: cannot watch listener again: ") +
                error.what());
    }
  });
}

void watch(const std::shared_ptr<AcceptState>& state) {
  auto handler = [state](int, uint32_t) {
    if (accept_ready(state->acceptor) == AfterAccept::kPause) {
      pause_accepting(state);
    }
  };
  int listener = state->acceptor.listener;
  try {
    state->io_loop->add_handler(listener, handler,
                                IOLoop::READ | IOLoop::EXCLUSIVE);
  } catch (const std::system_error& error) {
    // A kernel (or sandbox) that refuses EPOLLEXCLUSIVE: every waiting
    // process is then woken per connection, which is only slower.
    if (error.code() != std::errc::invalid_argument) throw;
    state->io_loop->add_handler(listener, handler, IOLoop::READ);
  }
  state->registered = true;
}

}  // namespace

// Per-connection errors Linux accept(2) says to treat like EAGAIN: the
// connection in the queue failed, the listener is fine.
bool is_per_connection_error(int error) {
  switch (error) {
    case ECONNABORTED:
    case EINTR:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
    case EPERM:  // A firewall rule refused the connection.
      return true;
    default:
      return false;
  }
}

std::function<void()> add_accept_handler(int listener, AcceptCallback callback,
                                         IOLoop& io_loop, AcceptStats* stats,
                                         int max_accepts_per_event) {
  if (max_accepts_per_event < 1) {
    throw std::invalid_argument(
        "add_accept_handler: max_accepts_per_event must be >= 1, not " +
        std::to_string(max_accepts_per_event));
  }
  auto state = std::make_shared<AcceptState>();
  state->io_loop = &io_loop;
  Acceptor& acceptor = state->acceptor;
  acceptor.listener = listener;
  acceptor.callback = std::move(callback);
  acceptor.max_accepts = max_accepts_per_event;
  acceptor.stats = stats != nullptr ? stats : &state->own_stats;
  // Best effort: without it, EMFILE pauses instead.
  if (wants_spare(acceptor)) acceptor.spare = open_spare();
  watch(state);
  return [state] {
    Acceptor& acceptor = state->acceptor;
    if (acceptor.removed) return;
    acceptor.removed = true;  // accept_ready stops before its next accept4.
    if (state->registered) state->io_loop->remove_handler(acceptor.listener);
    state->registered = false;
    if (state->retry) state->io_loop->remove_timeout(state->retry);
    state->retry = TimeoutHandle{};
    acceptor.spare.reset();
  };
}

bool is_valid_ip(std::string_view ip) {
  if (ip.empty() || ip.find('\0') != std::string_view::npos) return false;
  std::string text(ip);
  unsigned char buffer[sizeof(in6_addr)];
  // Strict dotted quad for v4 (no "127.1" shorthand, no spaces).
  if (inet_pton(AF_INET, text.c_str(), buffer) == 1) return true;
  if (text.find(':') == std::string::npos) return false;
  // v6, with an optional scope ("fe80::1%lo"): getaddrinfo with
  // AI_NUMERICHOST, as Tornado, which never resolves a name.
  addrinfo hints{};
  hints.ai_family = AF_INET6;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* list = nullptr;
  if (getaddrinfo(text.c_str(), nullptr, &hints, &list) != 0) return false;
  freeaddrinfo(list);
  return true;
}

}  // namespace eddy
