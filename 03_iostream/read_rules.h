// The read rules: which message a pending read takes from the read buffer.
// Internal to 03_iostream (IOStream's read path calls them; Lab 03 has the
// student write them, 03_iostream/lab/README.md).
//
// IOStream keeps the unread bytes in one buffer (ReadBuffer) and at most one
// pending read. Each time bytes arrive, or a read is started, it asks one of
// these functions how long the message at the front of the buffer is:
//
//   unread:  | m e s s a g e \r \n | next message ... |
//            |<---- length ------->|
//
// and, once it is complete, consumes `length` bytes and calls back with
// them. The functions only look at bytes: they never touch the fd, the loop
// or a callback, and they never throw (a limit that is exceeded is a return
// value; IOStream then closes the stream with std::errc::message_size).
//
// Tornado 2.4.1: the three branches of IOStream._read_from_buffer (Tornado
// 4 split them into _find_read_pos and _check_max_bytes).
//
// Threads: pure functions, callable from any thread.
#ifndef EDDY_03_IOSTREAM_READ_RULES_H_
#define EDDY_03_IOSTREAM_READ_RULES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eddy {

// The message is not complete yet: wait for more bytes.
inline constexpr size_t kNotReady = SIZE_MAX;
// The message is certain to be longer than max_bytes (check_max_bytes).
inline constexpr size_t kTooLong = SIZE_MAX - 1;

// read_bytes(num_bytes, callback, partial): the length of the message when
// `unread` bytes are buffered. Exactly num_bytes once that many are there;
// with `partial`, whatever is there (at least 1 byte, at most num_bytes) as
// soon as anything is; otherwise kNotReady. num_bytes == 0 is complete at
// once (an empty message). (Tornado: `_read_bytes` in _read_from_buffer.)
size_t bytes_ready(size_t unread, size_t num_bytes, bool partial);

// read_until(delimiter, ...): the length of the message in `unread`, up to
// and including the first `delimiter` (not empty), or kNotReady.
//
// The search resumes: `scan_from` is how many leading bytes of `unread` an
// earlier call already searched without finding the delimiter (0 for a new
// read). Only bytes from scan_from on (backed up by delimiter.size() - 1, so
// a delimiter split between two recvs is found) may be searched again, so a
// long message arriving byte by byte costs linear work, not quadratic. A
// failed search sets scan_from to unread.size(); a successful one may leave
// it alone. (Tornado: `_read_delimiter`, which rescans from the start.)
size_t find_delimiter(std::string_view unread, std::string_view delimiter,
                      size_t& scan_from);

// read_until's max_bytes (0 = unlimited), given the message `length` found
// (or kNotReady) with `unread` bytes buffered: returns `length` unchanged
// when the read may go on, and kTooLong when the message is certain to be
// longer than max_bytes: a complete message longer than max_bytes, or
// max_bytes bytes buffered without a terminator (a message of exactly
// max_bytes is fine). (Tornado 4: IOStream._check_max_bytes, which raises
// UnsatisfiableReadError.)
size_t check_max_bytes(size_t length, size_t unread, size_t max_bytes);

}  // namespace eddy

#endif  // EDDY_03_IOSTREAM_READ_RULES_H_
