#include "04_httputil/errors.h"

namespace eddy {

std::string quote_for_error(std::string_view text, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const bool truncated = text.size() > max_bytes;
  if (truncated) text = text.substr(0, max_bytes);
  std::string out;
  out.reserve(text.size() + 8);
  out.push_back('\'');
  for (unsigned char c : text) {
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(static_cast<char>(c));
        } else {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        }
    }
  }
  out.push_back('\'');
  if (truncated) out += "...";
  return out;
}

}  // namespace eddy
