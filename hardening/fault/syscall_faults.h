// Fault injection by link-time wrapping (testonly). A test linked with
// :syscall_faults (which passes -Wl,--wrap=read,... and needs linkstatic)
// reaches the server's system calls through the __wrap_* functions in
// syscall_faults.cc, which call the real ones except when the schedule says
// to fail. Production code is untouched: the seam exists only in test
// binaries that ask for it.
//
// Which calls are faulted:
//   kRead        read(2) on server connections (IOStream::read_from_fd)
//   kWrite       sendmsg(2) and writev(2) on server connections
//                (IOStream::write_to_fd)
//   kTlsRecv     recv(2) on server connections (SSLIOStream's BIO)
//   kTlsSend     send(2) on server connections (SSLIOStream's BIO)
//   kAccept      accept4(2) (add_accept_handler)
//   kEpollWait   epoll_wait(2) (IOLoop::run_iteration)
// "Server connections" are the descriptors accept4 returned (forgotten when
// closed), so the test's own client sockets are never faulted.
//
// Faults: kEintr, kEagain and kEconnreset fail the call with that errno
// without doing it; kEmfile likewise (accept4); kShort does the call with a
// smaller size (1..7 bytes for reads and writes, one event for epoll_wait).
//
// Edge-triggered fds (IOStream registers with EPOLLET): a faked EAGAIN or
// short read/write leaves bytes (or send space) that no new edge would
// announce, which a real socket never does. The harness therefore records
// registrations (epoll_ctl is wrapped too) and, after such a fault, reports
// the fd in the next epoll_wait if it is still ready for that direction:
// exactly what a real short call followed by more data produces.
//
// Threads: one test thread; the counters are not synchronised.
#ifndef EDDY_HARDENING_FAULT_SYSCALL_FAULTS_H_
#define EDDY_HARDENING_FAULT_SYSCALL_FAULTS_H_

#include <cstdint>
#include <string>

namespace eddy::fault {

enum class Syscall { kRead, kWrite, kTlsRecv, kTlsSend, kAccept, kEpollWait };
constexpr int kSyscallCount = 6;

enum class Fault { kNone, kEintr, kEagain, kShort, kEconnreset, kEmfile };

// Fail every `every`-th eligible call (1 = every call) with `fault`; the
// first `skip` eligible calls are never failed.
struct Rule {
  Syscall syscall = Syscall::kRead;
  Fault fault = Fault::kNone;
  uint32_t every = 1;
  uint32_t skip = 0;
};

// Adds a rule (one per syscall; a new one replaces the old) and resets that
// syscall's counters.
void set_rule(const Rule& rule);
// Removes every rule; calls go straight through again.
void clear_rules();
// Eligible calls seen and faults injected since the rule was set.
uint64_t calls(Syscall syscall);
uint64_t injected(Syscall syscall);

std::string to_string(Syscall syscall);
std::string to_string(Fault fault);

// Sets rules for its lifetime.
class ScopedRules {
 public:
  ScopedRules() = default;
  ~ScopedRules() { clear_rules(); }
  ScopedRules(const ScopedRules&) = delete;
  ScopedRules& operator=(const ScopedRules&) = delete;
};

}  // namespace eddy::fault

#endif  // EDDY_HARDENING_FAULT_SYSCALL_FAULTS_H_
