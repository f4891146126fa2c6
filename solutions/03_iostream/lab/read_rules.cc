// Lab 03, part 1: the read rules. Reference solution (not in a handout).
#include "03_iostream/read_rules.h"

namespace eddy {

size_t bytes_ready(size_t unread, size_t num_bytes, bool partial) {
  if (unread >= num_bytes) return num_bytes;
  if (partial && unread > 0) return unread;
  return kNotReady;
}

size_t find_delimiter(std::string_view unread, std::string_view delimiter,
                      size_t& scan_from) {
  // A delimiter may straddle scan_from: back up by all but one of its bytes.
  size_t overlap = delimiter.size() - 1;
  size_t from = scan_from > overlap ? scan_from - overlap : 0;
  size_t position = unread.find(delimiter, from);
  if (position == std::string_view::npos) {
    scan_from = unread.size();
    return kNotReady;
  }
  return position + delimiter.size();
}

size_t check_max_bytes(size_t length, size_t unread, size_t max_bytes) {
  if (max_bytes == 0) return length;
  if (length == kNotReady) return unread >= max_bytes ? kTooLong : kNotReady;
  return length > max_bytes ? kTooLong : length;
}

}  // namespace eddy
