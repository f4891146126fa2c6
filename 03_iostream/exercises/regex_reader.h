// Exercise 03.2 (medium): read_until_regex from scratch.
//
// IOStream::read_until_regex is built into the stream's read path. Here you
// build the same service on top of the one primitive a stream must have:
// "give me whatever bytes you have" (read_bytes with partial = true). You
// keep your own buffer, search it, deliver one message, and keep the rest
// for the next read: the leftover is the part everyone gets wrong.
//
// Contract
// - read_until_regex(regex, callback, max_bytes) calls `callback` once with
//   the unread bytes up to and including the first (leftmost) match of
//   `regex`; the bytes after the match stay buffered for the next read.
// - It reads from the stream only with IOStream::read_bytes(n, cb, true),
//   and only while a read is pending and the buffer holds no match. It
//   searches again each time bytes arrive (not once per byte).
// - The callback never runs inside read_until_regex(): when the leftover
//   already holds a match, it runs on a later loop iteration. It may start
//   the next read from inside the callback.
// - max_bytes (0 = no limit): when the first match does not end within the
//   first max_bytes unread bytes, and max_bytes bytes are buffered, the
//   stream is closed with std::errc::message_size and the callback never
//   runs.
// - When the stream closes before a match arrives, the callback never runs.
// - A second read while one is pending throws std::logic_error; a read on a
//   closed stream whose leftover holds no match throws StreamClosedError.
// Threads: the stream's loop thread. Lifetime: the reader keeps the stream
// alive; pending callbacks hold the reader's state, not the reader.
#ifndef EDDY_03_IOSTREAM_EXERCISES_REGEX_READER_H_
#define EDDY_03_IOSTREAM_EXERCISES_REGEX_READER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <regex>
#include <string>

#include "03_iostream/iostream.h"

namespace eddy::exercises {

class RegexReader {
 public:
  // How much read_bytes asks for at a time.
  static constexpr size_t kChunk = 64 * 1024;

  explicit RegexReader(std::shared_ptr<IOStream> stream);
  ~RegexReader();

  void read_until_regex(std::regex regex,
                        std::function<void(std::string message)> callback,
                        size_t max_bytes = 0);
  // Bytes received and not yet delivered.
  size_t buffered() const;

 private:
  struct State;  // Yours: define it in regex_reader.cc.
  std::shared_ptr<State> state_;
};

}  // namespace eddy::exercises

#endif  // EDDY_03_IOSTREAM_EXERCISES_REGEX_READER_H_
