// RawResponseScanner (internal to 05): follows the response head(s) that an
// application writes itself through the raw API (request.write(bytes), the
// tutorial's way), so that the connection knows where the final response's
// head ends. Tornado 2.4.1's HTTPRequest.write passes such bytes on as they
// are; so did eddy, and a HEAD request answered with the tutorial's
// "HTTP/1.1 200 OK\r\nContent-Length: N\r\n\r\n" + body then carried N bytes
// that the client reads as the start of the next response (issue 15,
// item 3).
//
// The rule (RFC 9110 §9.3.2, §15.3.5, §15.4.5; RFC 9112 §6.3): a response to
// HEAD, and a 204 or 304, ends with its head. So the connection sends what
// the application wrote up to the end of the final head and drops the
// rest. Interim heads (1xx other than 101, RFC 9110 §15.2) are passed on
// and the scanner waits for the head after them.
//
// Bytes that do not start like a status line ("HTTP/" DIGIT "." DIGIT SP
// 3DIGIT) are not a response the scanner can read: they pass through as
// they are and the scanner stops looking (opaque). A head ends at an empty
// line, the regex \r?\n\r?\n, as the request heads in http1connection.cc.
// Heads may arrive in any number of writes, split anywhere.
//
// Cost: the first 12 bytes of each head are checked ("HTTP/1.1 200"); a
// final response with a body is then passed on without looking further.
// Only the heads that decide something (interim, or without a body) are
// followed to their end, a line at a time with memchr. Body bytes are never
// looked at. Six bytes of state, no allocation.
// Threads: the owning connection's (the IOLoop's).
#ifndef EDDY_05_HTTPSERVER_RAW_RESPONSE_H_
#define EDDY_05_HTTPSERVER_RAW_RESPONSE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eddy {

class RawResponseScanner {
 public:
  // Starts following a new response; `head_request`: the request was HEAD.
  void start(bool head_request) { *this = RawResponseScanner(head_request); }

  // Looks at the next bytes the application wrote and returns how many of
  // them, from the front, go on the wire: all of them, except what follows
  // the final head of a response that has no body.
  size_t scan(std::string_view bytes) {
    // Inline: every body write of a raw response comes through here.
    return phase_ == Phase::kBody ? bytes.size() : scan_head(bytes);
  }

  // The final response's head is known: its status line, for a response
  // with a body (the scanner looks no further: everything passes), or its
  // end, for a response without one; or the bytes are opaque. False while
  // only interim heads, or part of the head that decides, were written:
  // finishing then would leave the client waiting for its answer.
  bool final_head_seen() const { return phase_ != Phase::kHead; }
  // The final response's status code once final_head_seen(); 0 before, and
  // for opaque bytes.
  uint16_t status() const { return phase_ == Phase::kHead ? 0 : code_; }

  RawResponseScanner() = default;

 private:
  enum class Phase : uint8_t {
    kHead,  // In a head (the final one or an interim one).
    kBody,  // After the final head, or opaque: everything passes.
    kDrop,  // After the final head of a response without a body.
  };
  // Where the scan is within a head's line breaks.
  enum class Break : uint8_t {
    kInLine,        // Inside a line.
    kAtLineStart,   // Just after a '\n'.
    kAfterStartCr,  // A '\r' at the start of a line.
  };
  explicit RawResponseScanner(bool head_request)
      : head_request_(head_request) {}
  // Checks the status line's first 12 bytes; returns where it stopped.
  size_t scan_status_line(std::string_view bytes, size_t i);
  // Finds the head's empty line; returns where it stopped.
  size_t scan_line_breaks(std::string_view bytes, size_t i);
  size_t scan_head(std::string_view bytes);
  // The status line's code is known. A final response with a body passes
  // as it is: where its head ends does not matter, so the scan stops here
  // (the tutorial's 200 costs only the status line's check).
  void after_status_line() {
    bool interim = code_ >= 100 && code_ < 200 && code_ != 101;
    bool no_body = head_request_ || code_ == 204 || code_ == 304;
    if (!interim && !no_body) phase_ = Phase::kBody;
  }
  void on_head_end();
  // on_head_end(), then returns `end` (where the head ended).
  size_t end_head(size_t end);
  // Not a status line: everything passes from here on.
  void become_opaque();

  // The digits of the head being scanned; after the final head, its
  // status (0 for opaque bytes).
  uint16_t code_ = 0;
  Phase phase_ = Phase::kHead;
  Break break_ = Break::kInLine;
  uint8_t offset_ = 0;  // Bytes of this head seen, up to 12.
  bool head_request_ = false;
};

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_RAW_RESPONSE_H_
