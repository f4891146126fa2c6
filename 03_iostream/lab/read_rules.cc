// Lab 03, part 1: the read rules (03_iostream/read_rules.h is the contract;
// README.md in this directory is the handout).
//
// IOStream asks these functions, every time bytes arrive or a read starts,
// how long the message at the front of its read buffer is. They only look
// at bytes and numbers: no fd, no loop, no callbacks, no exceptions.
//
// Do them in this order (each makes more of iostream_test pass):
//   1. bytes_ready       read_bytes, exact and partial
//   2. find_delimiter    read_until, resuming where the last search stopped
//   3. check_max_bytes   read_until's max_bytes
#include "03_iostream/read_rules.h"

#include "tools/lab/todo.h"

namespace eddy {

size_t bytes_ready(size_t unread, size_t num_bytes, bool partial) {
  // TODO(lab 03): return num_bytes once at least num_bytes bytes are
  // unread; with `partial`, return what is unread as soon as that is at
  // least one byte; otherwise kNotReady.
  (void)unread;
  (void)num_bytes;
  (void)partial;
  lab::todo("03", "bytes_ready");
}

size_t find_delimiter(std::string_view unread, std::string_view delimiter,
                      size_t& scan_from) {
  // TODO(lab 03):
  //   1. Work out where to start: scan_from bytes were already searched,
  //      but the last delimiter.size() - 1 of them may hold the start of a
  //      delimiter whose end has only just arrived.
  //   2. Search from there (std::string_view::find).
  //   3. Not found: remember that all of `unread` was searched (scan_from)
  //      and return kNotReady.
  //   4. Found: return the length of the message, delimiter included.
  (void)unread;
  (void)delimiter;
  (void)scan_from;
  lab::todo("03", "find_delimiter");
}

size_t check_max_bytes(size_t length, size_t unread, size_t max_bytes) {
  // TODO(lab 03): max_bytes == 0 means no limit. Otherwise the read cannot
  // succeed (return kTooLong) when the message found is longer than
  // max_bytes, or when none was found (length == kNotReady) although
  // max_bytes bytes are already unread. Anything else: return `length`.
  (void)length;
  (void)unread;
  (void)max_bytes;
  lab::todo("03", "check_max_bytes");
}

}  // namespace eddy
