// URLs and query strings: Tornado's url_unescape and url_escape
// (tornado.escape), parse_qs_bytes, url_concat and split_host_and_port
// (tornado.httputil).
//
// Contract
// - Everything here works on bytes: a decoded "%C3%A9" is the two bytes of
//   UTF-8 "é", and nothing is transcoded (Tornado decodes with latin-1 and
//   re-encodes, which is the same thing for bytes).
// - Malformed percent escapes ("%zz", a trailing "%") are kept literally,
//   as Python's urllib.parse.unquote does; only strict_parsing and an
//   out-of-range port throw HTTPInputError (errors.h).
// - Linear time, no allocation per byte (one output string per result).
// - Thread-safety: pure functions; any thread may call them.
#ifndef EDDY_04_HTTPUTIL_URL_H_
#define EDDY_04_HTTPUTIL_URL_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "04_httputil/errors.h"

namespace eddy {

// name -> every value given for it, in order: Tornado's Dict[str, List[bytes]]
// for query_arguments and body_arguments. Keys are sorted, not in arrival
// order; the values of one key keep their order. Heterogeneous lookup works
// with a std::string_view key.
using ArgumentMap =
    std::map<std::string, std::vector<std::string>, std::less<>>;

// Tornado's url_unescape(value, encoding=None, plus=True): decodes %XX
// escapes and, when `plus`, '+' as a space.
std::string url_unescape(std::string_view value, bool plus = true);

// Tornado's url_escape(value, plus=True): percent-encodes every byte except
// ASCII letters, digits and "_.-~" (and "/" when !plus, like urllib's
// quote); with `plus` a space becomes '+'. Hex digits are upper case.
std::string url_escape(std::string_view value, bool plus = true);

// Tornado's parse_qs_bytes (urllib.parse.parse_qs): splits `qs` on '&',
// each field on its first '='; names and values are url_unescape()d. A field
// without '=' or with an empty value is dropped unless keep_blank_values.
// With strict_parsing, an empty field or a field without '=' throws
// HTTPInputError.
ArgumentMap parse_qs_bytes(std::string_view qs, bool keep_blank_values = false,
                           bool strict_parsing = false);

// The same fields as ordered pairs (urllib.parse.parse_qsl).
std::vector<std::pair<std::string, std::string>> parse_qsl_bytes(
    std::string_view qs, bool keep_blank_values = false,
    bool strict_parsing = false);

// Tornado's url_concat: appends `args` to the query of `url`, before any
// "#fragment". The existing query is re-encoded the way Python's urlencode
// does it ("?x" becomes "?x="), as Tornado does.
std::string url_concat(
    std::string_view url,
    const std::vector<std::pair<std::string, std::string>>& args);

// Tornado's split_host_and_port: "example.com:8080" -> {"example.com", 8080};
// without a trailing ":digits" the port is empty ("[::1]" stays whole).
// Throws HTTPInputError when the digits exceed 65535 (Tornado returns any
// integer).
struct HostAndPort {
  std::string host;
  std::optional<int> port;
  friend bool operator==(const HostAndPort&, const HostAndPort&) = default;
};
HostAndPort split_host_and_port(std::string_view netloc);

}  // namespace eddy

#endif  // EDDY_04_HTTPUTIL_URL_H_
