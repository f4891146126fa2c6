#include "04_httputil/header_params.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "04_httputil/chars.h"
#include "04_httputil/url.h"

namespace eddy {
namespace {

// Python's str.strip() for the ASCII whitespace a header can carry.
std::string_view strip(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const std::size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// email.utils.unquote: strips one pair of surrounding double quotes and then
// undoes quoting with two sequential replacements, as Python does.
std::string email_unquote(std::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
    return std::string(value);
  }
  value = value.substr(1, value.size() - 2);
  std::string once;
  once.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {  // '\\' -> '\'
    once.push_back(value[i]);
    if (value[i] == '\\' && i + 1 < value.size() && value[i + 1] == '\\') ++i;
  }
  std::string twice;
  twice.reserve(once.size());
  for (std::size_t i = 0; i < once.size(); ++i) {  // '\"' -> '"'
    if (once[i] == '\\' && i + 1 < once.size() && once[i + 1] == '"') continue;
    twice.push_back(once[i]);
  }
  return twice;
}

// Splits on ';' outside double quotes. A quote preceded by a backslash does
// not open or close a quoted string (the rule cgi._parseparam implements by
// counting '"' minus '\"').
std::vector<std::string_view> split_params(std::string_view line) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && (i == 0 || line[i - 1] != '\\')) {
      quoted = !quoted;
    } else if (c == ';' && !quoted) {
      parts.push_back(strip(line.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(strip(line.substr(start)));
  return parts;
}

// An RFC 2231 parameter name: `\w+\*` optionally followed by digits and an
// optional '*'. Returns the base name and the section number (-1: none).
struct ExtendedName {
  std::string_view base;
  long section;
  bool encoded;
};
std::optional<ExtendedName> parse_extended_name(std::string_view name) {
  const std::size_t star = name.find('*');
  if (star == std::string_view::npos || star == 0) return std::nullopt;
  for (std::size_t i = 0; i < star; ++i) {
    const char c = name[i];
    const bool word = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                      (c >= 'A' && c <= 'Z') || c == '_';
    if (!word) return std::nullopt;
  }
  std::string_view rest = name.substr(star + 1);
  if (rest.empty()) return ExtendedName{name.substr(0, star), -1, true};
  const bool encoded = rest.back() == '*';
  if (encoded) rest.remove_suffix(1);
  if (rest.empty() || rest.size() > 6) return std::nullopt;
  long section = 0;
  for (char c : rest) {
    if (c < '0' || c > '9') return std::nullopt;
    section = section * 10 + (c - '0');
  }
  return ExtendedName{name.substr(0, star), section, encoded};
}

// Turns bytes in `charset` into UTF-8 (see the contract in the header).
std::string to_utf8(std::string_view bytes, std::string_view charset) {
  const bool latin1 = chars::iequals(charset, "iso-8859-1") ||
                      chars::iequals(charset, "latin-1") ||
                      chars::iequals(charset, "latin1");
  const bool ascii = charset.empty() || chars::iequals(charset, "us-ascii") ||
                     chars::iequals(charset, "ascii");
  if (!latin1 && !ascii) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (latin1) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
    }
  }
  return out;
}

struct Section {
  long number;
  std::string text;
  bool encoded;
};

}  // namespace

HeaderWithParams parse_header(std::string_view line) {
  const std::vector<std::string_view> parts = split_params(line);
  HeaderWithParams result;
  result.value = std::string(parts.front());

  // Plain parameters are set in order; RFC 2231 sections are gathered per
  // base name and set afterwards, so they override (email.utils.decode_params).
  std::map<std::string, std::vector<Section>, std::less<>> extended;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::size_t eq = parts[i].find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(strip(parts[i].substr(0, eq)));
    for (char& c : name) c = chars::ascii_lower(c);
    std::string value = email_unquote(strip(parts[i].substr(eq + 1)));
    if (const auto ext = parse_extended_name(name)) {
      extended[std::string(ext->base)].push_back(
          Section{ext->section, std::move(value), ext->encoded});
      continue;
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    result.params[std::move(name)] = std::move(value);
  }

  for (auto& [base, sections] : extended) {
    std::stable_sort(
        sections.begin(), sections.end(),
        [](const Section& a, const Section& b) { return a.number < b.number; });
    std::string joined;
    bool any_encoded = false;
    for (const Section& section : sections) {
      if (section.encoded) {
        joined += url_unescape(section.text, /*plus=*/false);
        any_encoded = true;
      } else {
        joined += section.text;
      }
    }
    std::string value = joined;
    if (any_encoded) {
      // charset'language'text; without two ticks the whole is the text.
      const std::size_t tick1 = joined.find('\'');
      const std::size_t tick2 = tick1 == std::string::npos
                                    ? std::string::npos
                                    : joined.find('\'', tick1 + 1);
      const std::string_view all(joined);
      value = tick2 == std::string::npos
                  ? to_utf8(all, "")
                  : to_utf8(all.substr(tick2 + 1), all.substr(0, tick1));
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    result.params[base] = std::move(value);
  }
  return result;
}

}  // namespace eddy
