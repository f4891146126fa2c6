#include "05_httpserver/raw_response.h"

#include <cstring>

namespace eddy {
namespace {

// "HTTP/1.1 200": what each of a status line's first 12 bytes must be.
// 'D' stands for any digit.
constexpr std::string_view kStatusLineShape = "HTTP/D.D DDD";

bool matches_shape(char c, size_t offset) {
  char want = kStatusLineShape[offset];
  if (want == 'D') return c >= '0' && c <= '9';
  return c == want;
}

}  // namespace

size_t RawResponseScanner::scan(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    switch (phase_) {
      case Phase::kBody:
        return bytes.size();
      case Phase::kDrop:
        return i;
      case Phase::kHead:
        i = offset_ < kStatusLineShape.size() ? scan_status_line(bytes, i)
                                              : scan_line_breaks(bytes, i);
        break;
    }
  }
  return phase_ == Phase::kDrop ? i : bytes.size();
}

size_t RawResponseScanner::scan_status_line(std::string_view bytes, size_t i) {
  for (; i < bytes.size() && offset_ < kStatusLineShape.size(); ++i) {
    char c = bytes[i];
    if (!matches_shape(c, offset_)) {
      phase_ = Phase::kBody;  // Opaque: not a status line we can read.
      code_ = 0;
      return i;
    }
    if (offset_ >= 9) code_ = static_cast<uint16_t>(code_ * 10 + (c - '0'));
    ++offset_;
  }
  return i;
}

size_t RawResponseScanner::scan_line_breaks(std::string_view bytes, size_t i) {
  while (i < bytes.size()) {
    char c = bytes[i];
    switch (break_) {
      case Break::kInLine: {
        const void* newline =
            std::memchr(bytes.data() + i, '\n', bytes.size() - i);
        if (newline == nullptr) return bytes.size();
        i = static_cast<size_t>(static_cast<const char*>(newline) -
                                bytes.data()) +
            1;
        break_ = Break::kAtLineStart;
        break;
      }
      case Break::kAtLineStart:
      case Break::kAfterStartCr:
        if (c == '\n') {
          on_head_end();
          return i + 1;
        }
        if (c == '\r' && break_ == Break::kAtLineStart) {
          break_ = Break::kAfterStartCr;
          ++i;
        } else {
          break_ = Break::kInLine;
        }
        break;
    }
  }
  return i;
}

void RawResponseScanner::on_head_end() {
  if (code_ >= 100 && code_ < 200 && code_ != 101) {
    // Interim: the next head follows.
    code_ = 0;
    offset_ = 0;
    break_ = Break::kInLine;
    return;
  }
  bool no_body = head_request_ || code_ == 204 || code_ == 304;
  phase_ = no_body ? Phase::kDrop : Phase::kBody;
}

}  // namespace eddy
