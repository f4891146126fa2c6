// The read rules (read_rules.h): production bodies. Lab 03's student writes
// the same functions in 03_iostream/lab/read_rules.cc.
#include "03_iostream/read_rules.h"

#include <cstring>

namespace eddy {

size_t bytes_ready(size_t unread, size_t num_bytes, bool partial) {
  if (unread >= num_bytes) return num_bytes;
  if (partial && unread > 0) return unread;
  return kNotReady;
}

// Searches from where the last search stopped, backing up so that a
// delimiter straddling that point is found. Only a failed search moves
// scan_from: a found one is found again at once by the next call. A
// one-byte delimiter (a line protocol) goes straight to memchr.
// DOC: find-delimiter. (README.md, "The buffer layout".)
size_t find_delimiter(std::string_view unread, std::string_view delimiter,
                      size_t& scan_from) {
  size_t overlap = delimiter.size() - 1;
  size_t from = scan_from > overlap ? scan_from - overlap : 0;
  size_t position;
  if (delimiter.size() == 1) {
    const void* found = unread.size() > from
                            ? std::memchr(unread.data() + from, delimiter[0],
                                          unread.size() - from)
                            : nullptr;
    if (found == nullptr) {
      scan_from = unread.size();
      return kNotReady;
    }
    position =
        static_cast<size_t>(static_cast<const char*>(found) - unread.data());
  } else {
    position = unread.find(delimiter, from);
    if (position == std::string_view::npos) {
      scan_from = unread.size();
      return kNotReady;
    }
  }
  return position + delimiter.size();
}

size_t check_max_bytes(size_t length, size_t unread, size_t max_bytes) {
  if (max_bytes == 0) return length;
  bool too_long =
      length != kNotReady ? length > max_bytes : unread >= max_bytes;
  return too_long ? kTooLong : length;
}

}  // namespace eddy
