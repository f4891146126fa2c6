#include "02_netutil/file_descriptor.h"

#include <unistd.h>

namespace eddy {

void FileDescriptor::reset(int fd) {
  int old = fd_;
  fd_ = fd;
  // close(2) releases the descriptor even when it reports an error (EINTR
  // included, on Linux), so retrying could close someone else's descriptor.
  if (old >= 0 && old != fd) ::close(old);
}

}  // namespace eddy
