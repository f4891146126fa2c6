// Header values with parameters, such as
//   Content-Disposition: form-data; name="files"; filename*=UTF-8''%C3%A1b.txt
//   Content-Type: multipart/form-data; boundary="----x"
// Tornado's tornado.httputil._parse_header (itself Python's cgi.parse_header
// plus email.utils.decode_params for RFC 2231).
//
// Contract
// - parse_header never throws: every input has some parse. The first
//   ';'-separated part is the value; each later "name=value" part becomes a
//   parameter (parts without '=' are ignored). A ';' inside double quotes
//   does not split. Parameter names are lower-cased; values are unquoted
//   ('\"' -> '"', '\\' -> '\').
// - RFC 2231 extended parameters ("name*=charset'lang'%XX..", and the
//   continuations "name*0", "name*1*", ...) are decoded and override the
//   plain parameter of the same name, so "filename*" wins over "filename".
//   The result is UTF-8: latin-1/iso-8859-1 is transcoded, us-ascii (or no
//   charset) turns bytes above 0x7F into U+FFFD, and UTF-8 or an unknown
//   charset is passed through as bytes.
// - Linear in line.size(): one scan for the separators (cgi's _parseparam
//   recounts the quotes before every ';', which is quadratic).
// - Thread-safety: pure function; any thread may call it.
#ifndef EDDY_04_HTTPUTIL_HEADER_PARAMS_H_
#define EDDY_04_HTTPUTIL_HEADER_PARAMS_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace eddy {

struct HeaderWithParams {
  std::string value;  // "form-data"; as sent, surrounding whitespace removed
  std::map<std::string, std::string, std::less<>> params;  // lower-case names
};

// Tornado's _parse_header.
HeaderWithParams parse_header(std::string_view line);

}  // namespace eddy

#endif  // EDDY_04_HTTPUTIL_HEADER_PARAMS_H_
