#include "hardening/fuzz/reference_framing.h"

#include <cstdint>
#include <optional>

namespace eddy::fuzz {
namespace {

enum class Verdict { kComplete, kIncomplete, kUnknown };

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Every CR is followed by LF and every LF preceded by CR.
bool strict_line_ends(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && (i + 1 < s.size() && s[i + 1] != '\n')) return false;
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
  }
  return true;
}

bool valid_start_line(std::string_view line, ReferenceRequest& request) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return false;
  std::string_view method = line.substr(0, sp1);
  std::string_view path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  static constexpr std::string_view kMethods[] = {"GET",    "POST",    "PUT",
                                                  "DELETE", "OPTIONS", "PATCH"};
  bool known = false;
  for (auto m : kMethods) known = known || method == m;
  if (!known || version != "HTTP/1.1") return false;
  if (path.empty() || path[0] != '/' || path.size() > 200) return false;
  for (char c : path) {
    if (!is_alnum(c) && c != '/' && c != '.' && c != '_' && c != '~' &&
        c != '-')
      return false;
  }
  request.method = std::string(method);
  request.path = std::string(path);
  return true;
}

struct HeadInfo {
  bool has_host = false;
  std::optional<uint64_t> content_length;
  bool chunked = false;
};

bool valid_header_line(std::string_view line, HeadInfo& info,
                       size_t max_body_size) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view name = line.substr(0, colon);
  std::string_view rest = line.substr(colon + 1);
  if (rest.size() < 2 || rest[0] != ' ') return false;
  std::string_view value = rest.substr(1);
  if (value.front() == ' ' || value.back() == ' ') return false;
  for (char c : name) {
    if (!is_alnum(c) && c != '-') return false;
  }
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 ||
        static_cast<unsigned char>(c) > 0x7e)
      return false;
  }
  if (iequals(name, "Host")) {
    if (info.has_host) return false;
    info.has_host = true;
    for (char c : value) {
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '.' &&
          c != '-')
        return false;
    }
    return true;
  }
  if (iequals(name, "Content-Length")) {
    if (info.content_length || info.chunked) return false;
    if (!all_digits(value) || value.size() > 9) return false;
    uint64_t length = std::stoull(std::string(value));
    if (length > max_body_size) return false;
    info.content_length = length;
    return true;
  }
  if (iequals(name, "Transfer-Encoding")) {
    if (info.content_length || info.chunked || value != "chunked") return false;
    info.chunked = true;
    return true;
  }
  if (iequals(name, "Accept") || iequals(name, "User-Agent")) return true;
  // X-... but not the proxy headers (the fuzzer runs without xheaders, but
  // stay clear of them anyway).
  if (name.size() >= 3 && lower(name[0]) == 'x' && name[1] == '-') {
    return !iequals(name, "X-Real-Ip") && !iequals(name, "X-Forwarded-For") &&
           !iequals(name, "X-Scheme") && !iequals(name, "X-Forwarded-Proto");
  }
  return false;
}

// Validates the complete lines of `head` (without its final CRLF CRLF, or a
// partial head whose last line may be unfinished).
bool valid_head_lines(std::string_view head, bool complete,
                      ReferenceRequest& request, HeadInfo& info,
                      size_t max_body_size) {
  size_t pos = 0;
  bool first = true;
  for (;;) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) {
      if (complete) {
        eol = head.size();
      } else {
        return true;  // The unfinished last line is judged when it ends.
      }
    }
    std::string_view line = head.substr(pos, eol - pos);
    if (first) {
      if (!valid_start_line(line, request)) return false;
      first = false;
    } else if (!valid_header_line(line, info, max_body_size)) {
      return false;
    }
    if (eol >= head.size()) return true;
    pos = eol + 2;
    if (pos >= head.size()) return true;
  }
}

// Chunked body starting at `data`; on kComplete sets `used`.
Verdict frame_chunked(std::string_view data, size_t max_body_size,
                      std::string& body, size_t& used) {
  size_t pos = 0;
  for (;;) {
    size_t eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) {
      std::string_view partial = data.substr(pos);
      if (partial.size() > 9) return Verdict::kUnknown;
      for (size_t i = 0; i < partial.size(); ++i) {
        bool last = i + 1 == partial.size();
        if (hex_digit(partial[i]) < 0 && !(last && partial[i] == '\r'))
          return Verdict::kUnknown;
      }
      return Verdict::kIncomplete;
    }
    std::string_view size_text = data.substr(pos, eol - pos);
    if (size_text.empty() || size_text.size() > 8) return Verdict::kUnknown;
    uint64_t size = 0;
    for (char c : size_text) {
      int digit = hex_digit(c);
      if (digit < 0) return Verdict::kUnknown;
      size = size * 16 + static_cast<uint64_t>(digit);
    }
    pos = eol + 2;
    if (size == 0) {
      // No trailers in the subset: the next two bytes must be CRLF.
      std::string_view end = data.substr(pos, 2);
      if (std::string_view("\r\n").substr(0, end.size()) != end)
        return Verdict::kUnknown;
      if (end.size() < 2) return Verdict::kIncomplete;
      used = pos + 2;
      return Verdict::kComplete;
    }
    if (body.size() + size > max_body_size) return Verdict::kUnknown;
    if (data.size() - pos < size) return Verdict::kIncomplete;
    body.append(data.substr(pos, size));
    pos += size;
    std::string_view crlf = data.substr(pos, 2);
    if (std::string_view("\r\n").substr(0, crlf.size()) != crlf)
      return Verdict::kUnknown;
    if (crlf.size() < 2) return Verdict::kIncomplete;
    pos += 2;
  }
}

Verdict frame_one(std::string_view data, size_t max_header_size,
                  size_t max_body_size, ReferenceRequest& request,
                  size_t& used) {
  size_t head_end = data.find("\r\n\r\n");
  HeadInfo info;
  if (head_end == std::string_view::npos) {
    // The server answers 431 once more than max_header_size bytes wait.
    if (data.size() > max_header_size) return Verdict::kUnknown;
    if (!data.empty() && (data[0] == '\r' || data[0] == '\n'))
      return Verdict::kUnknown;
    if (!strict_line_ends(data)) return Verdict::kUnknown;
    if (!valid_head_lines(data, false, request, info, max_body_size))
      return Verdict::kUnknown;
    return Verdict::kIncomplete;
  }
  size_t head_size = head_end + 4;
  if (head_size > max_header_size) return Verdict::kUnknown;
  std::string_view head = data.substr(0, head_end);
  if (head.empty() || !strict_line_ends(head)) return Verdict::kUnknown;
  if (!valid_head_lines(head, true, request, info, max_body_size) ||
      !info.has_host)
    return Verdict::kUnknown;
  std::string_view rest = data.substr(head_size);
  if (info.chunked) {
    size_t body_used = 0;
    Verdict verdict =
        frame_chunked(rest, max_body_size, request.body, body_used);
    if (verdict == Verdict::kComplete) used = head_size + body_used;
    return verdict;
  }
  uint64_t length = info.content_length.value_or(0);
  if (rest.size() < length) return Verdict::kIncomplete;
  request.body = std::string(rest.substr(0, length));
  used = head_size + length;
  return Verdict::kComplete;
}

}  // namespace

ReferenceFraming frame_requests(std::string_view stream, size_t max_header_size,
                                size_t max_body_size) {
  ReferenceFraming result;
  size_t pos = 0;
  while (pos < stream.size()) {
    ReferenceRequest request;
    size_t used = 0;
    Verdict verdict = frame_one(stream.substr(pos), max_header_size,
                                max_body_size, request, used);
    if (verdict == Verdict::kIncomplete) {
      result.rest = ReferenceFraming::Rest::kIncomplete;
      break;
    }
    if (verdict == Verdict::kUnknown) {
      result.rest = ReferenceFraming::Rest::kUnknown;
      break;
    }
    result.complete.push_back(std::move(request));
    pos += used;
  }
  result.consumed = pos;
  return result;
}

}  // namespace eddy::fuzz
