#include "05_httpserver/raw_response.h"

#include <cstring>

namespace eddy {
namespace {

// "HTTP/1.1 200": what each of a status line's first 12 bytes must be.
// 'D' stands for any digit.
constexpr std::string_view kStatusLineShape = "HTTP/D.D DDD";

bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

bool matches_shape(char c, size_t offset) {
  char want = kStatusLineShape[offset];
  return want == 'D' ? is_digit(c) : c == want;
}

}  // namespace

size_t RawResponseScanner::scan_head(std::string_view bytes) {
  if (phase_ == Phase::kDrop) return 0;
  size_t i = 0;
  while (phase_ == Phase::kHead && i < bytes.size()) {
    i = offset_ < kStatusLineShape.size() ? scan_status_line(bytes, i)
                                          : scan_line_breaks(bytes, i);
  }
  return phase_ == Phase::kDrop ? i : bytes.size();
}

size_t RawResponseScanner::scan_status_line(std::string_view bytes, size_t i) {
  // The usual case, a whole status line in one write, in one go.
  if (offset_ == 0 && bytes.size() - i >= kStatusLineShape.size()) {
    const char* p = bytes.data() + i;
    if (std::memcmp(p, "HTTP/", 5) != 0 || !is_digit(p[5]) || p[6] != '.' ||
        !is_digit(p[7]) || p[8] != ' ' || !is_digit(p[9]) || !is_digit(p[10]) ||
        !is_digit(p[11])) {
      become_opaque();
      return bytes.size();
    }
    code_ = static_cast<uint16_t>((p[9] - '0') * 100 + (p[10] - '0') * 10 +
                                  (p[11] - '0'));
    offset_ = static_cast<uint8_t>(kStatusLineShape.size());
    after_status_line();
    return i + kStatusLineShape.size();
  }
  for (; i < bytes.size() && offset_ < kStatusLineShape.size(); ++i) {
    char c = bytes[i];
    if (!matches_shape(c, offset_)) {
      become_opaque();
      return bytes.size();
    }
    if (offset_ >= 9) code_ = static_cast<uint16_t>(code_ * 10 + (c - '0'));
    if (++offset_ == kStatusLineShape.size()) after_status_line();
  }
  return i;
}

size_t RawResponseScanner::scan_line_breaks(std::string_view bytes, size_t i) {
  const size_t size = bytes.size();
  if (break_ == Break::kAfterStartCr) {  // A '\r' ended the previous write.
    if (bytes[i] == '\n') return end_head(i + 1);
    break_ = Break::kInLine;
  }
  while (true) {
    if (break_ == Break::kInLine) {
      const void* newline = std::memchr(bytes.data() + i, '\n', size - i);
      if (newline == nullptr) return size;
      i = static_cast<size_t>(static_cast<const char*>(newline) -
                              bytes.data()) +
          1;
      break_ = Break::kAtLineStart;
    }
    // At the start of a line: "\n" or "\r\n" ends the head.
    if (i == size) return size;
    if (bytes[i] == '\n') return end_head(i + 1);
    if (bytes[i] == '\r') {
      if (i + 1 == size) {
        break_ = Break::kAfterStartCr;
        return size;
      }
      if (bytes[i + 1] == '\n') return end_head(i + 2);
    }
    break_ = Break::kInLine;
  }
}

void RawResponseScanner::become_opaque() {
  phase_ = Phase::kBody;
  code_ = 0;
}

size_t RawResponseScanner::end_head(size_t end) {
  on_head_end();
  return end;
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
