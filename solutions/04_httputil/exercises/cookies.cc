// Reference solution of exercise 04.1 (04_httputil/exercises/cookies.h).
#include "04_httputil/exercises/cookies.h"

namespace eddy::exercises {

namespace {

std::string_view strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool is_octal(char c, char max) { return c >= '0' && c <= max; }

// Python's http.cookies._unquote, in one left-to-right pass.
std::string unquote(std::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"')
    return std::string(value);
  std::string_view inner = value.substr(1, value.size() - 2);
  std::string out;
  out.reserve(inner.size());
  for (size_t i = 0; i < inner.size(); ++i) {
    char c = inner[i];
    if (c != '\\' || i + 1 == inner.size()) {
      out += c;  // Plain byte, or a backslash at the very end.
    } else if (i + 3 < inner.size() && is_octal(inner[i + 1], '3') &&
               is_octal(inner[i + 2], '7') && is_octal(inner[i + 3], '7')) {
      out += static_cast<char>((inner[i + 1] - '0') * 64 +
                               (inner[i + 2] - '0') * 8 + (inner[i + 3] - '0'));
      i += 3;
    } else {
      out += inner[i + 1];  // "\c" -> c.
      ++i;
    }
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_cookie(
    std::string_view header) {
  std::vector<std::pair<std::string, std::string>> cookies;
  while (true) {
    size_t end = header.find(';');
    std::string_view chunk = header.substr(0, end);
    std::string_view name, value;
    size_t eq = chunk.find('=');
    if (eq == std::string_view::npos) {
      value = strip(chunk);
    } else {
      name = strip(chunk.substr(0, eq));
      value = strip(chunk.substr(eq + 1));
    }
    if (!name.empty() || !value.empty())
      cookies.emplace_back(std::string(name), unquote(value));
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return cookies;
}

}  // namespace eddy::exercises
