// The character classes of RFC 9110 §5.6 as 256-entry tables, and ASCII case
// folding (never the locale's). Chapter 05 uses strip_ows and iequals for
// its framing and proxy headers. One table
// lookup per byte keeps every scanner in this package branch-light and linear.
#ifndef EDDY_04_HTTPUTIL_CHARS_H_
#define EDDY_04_HTTPUTIL_CHARS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eddy::chars {

// Bit flags per byte value.
inline constexpr std::uint8_t kTchar = 1;  // token character (RFC 9110 §5.6.2)
inline constexpr std::uint8_t kFieldChar =
    2;  // allowed in a field value: VCHAR, obs-text, SP, HTAB
inline constexpr std::uint8_t kTargetChar =
    4;  // request-target: VCHAR and obs-text (no SP, no CTL)

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t bits = 0;
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                       (c >= 'A' && c <= 'Z');
    if (alnum ||
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
            std::string_view::npos) {
      bits |= kTchar;
    }
    const bool vchar_or_obs = (c > 0x20 && c != 0x7f);
    if (vchar_or_obs || c == ' ' || c == '\t') bits |= kFieldChar;
    if (vchar_or_obs) bits |= kTargetChar;
    table[c] = bits;
  }
  return table;
}

inline constexpr std::array<std::uint8_t, 256> kTable = make_table();

inline bool is_tchar(char c) {
  return kTable[static_cast<unsigned char>(c)] & kTchar;
}
inline bool is_field_char(char c) {
  return kTable[static_cast<unsigned char>(c)] & kFieldChar;
}
inline bool is_target_char(char c) {
  return kTable[static_cast<unsigned char>(c)] & kTargetChar;
}
// HTTP's optional whitespace (OWS): only SP and HTAB, never other bytes that
// some locales call space (0x85, 0xA0), as Tornado's HTTP_WHITESPACE.
inline bool is_ows(char c) { return c == ' ' || c == '\t'; }

inline char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
inline char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - ('a' - 'A')) : c;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

inline bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         iequals(text.substr(0, prefix.size()), prefix);
}

// Tornado's _normalize_header, in place: "content-TYPE" -> "Content-Type"
// (the first letter of each dash-separated word upper case, the rest lower).
// Inline: HTTPHeaders::parse runs it on every field name.
inline void normalize_name(char* name, std::size_t size) {
  bool word_start = true;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = name[i];
    name[i] = word_start ? ascii_upper(c) : ascii_lower(c);
    word_start = (c == '-');
  }
}

// Removes leading and trailing SP/HTAB.
inline std::string_view strip_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// True when every byte is a token character and there is at least one.
inline bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// True when no byte is a control character other than HTAB (RFC 9110 §5.5).
inline bool is_field_value(std::string_view s) {
  bool ok = true;
  // No early exit and no data-dependent branch: one table lookup per byte.
  for (char c : s) ok &= is_field_char(c);
  return ok;
}

}  // namespace eddy::chars

#endif  // EDDY_04_HTTPUTIL_CHARS_H_
