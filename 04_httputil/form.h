// Request bodies carrying form fields: Tornado's HTTPFile,
// parse_body_arguments and parse_multipart_form_data (tornado.httputil).
//
// Contract
// - parse_body_arguments understands application/x-www-form-urlencoded and
//   multipart/form-data (media types compared case-insensitively, RFC 9110
//   §8.3.1) and ignores any other Content-Type. It appends to `arguments`
//   and `files`, never clears them: the server merges query and body
//   arguments into one map.
// - Throws HTTPInputError (errors.h) when the body is compressed (a
//   Content-Encoding header: decompress first), when a multipart
//   Content-Type has no boundary, when the boundary breaks RFC 2046 (1 to 70
//   characters from its bchars set, Tornado checks nothing), or when a part's
//   header block is malformed.
// - As classic Tornado (through 6.4; 6.5 raises HTTPInputError instead), a
//   multipart body without its final boundary, and a part
//   without headers, without "Content-Disposition: form-data", without a
//   name, or not ending in CRLF, are skipped with a warning on the general
//   log channel. Hardening: one warning per body, counting the skipped
//   parts, so a body of a million bad parts cannot flood the log.
// - Linear time: the boundary is at most 70 bytes, so each search is O(n).
// - Thread-safety: pure functions apart from logging; any thread may call them.
#ifndef EDDY_04_HTTPUTIL_FORM_H_
#define EDDY_04_HTTPUTIL_FORM_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "04_httputil/errors.h"
#include "04_httputil/headers.h"
#include "04_httputil/url.h"

namespace eddy {

// Tornado's HTTPFile: one uploaded file of a multipart/form-data body.
struct HTTPFile {
  std::string filename;  // from Content-Disposition, RFC 2231 decoded
  std::string body;      // the bytes, as sent
  std::string
      content_type;  // the part's Content-Type, "application/unknown" if none
  friend bool operator==(const HTTPFile&, const HTTPFile&) = default;
};

// field name -> the files uploaded under it, in order.
using FileMap = std::map<std::string, std::vector<HTTPFile>, std::less<>>;

// Tornado's parse_body_arguments. `headers` are the request's headers, used
// only to refuse a Content-Encoding; may be null.
void parse_body_arguments(std::string_view content_type, std::string_view body,
                          ArgumentMap& arguments, FileMap& files,
                          const HTTPHeaders* headers = nullptr);

// Tornado's parse_multipart_form_data. `boundary` may be quoted. Returns the
// number of parts skipped (0 for a clean body; 1 when the final boundary is
// missing and nothing was parsed).
std::size_t parse_multipart_form_data(std::string_view boundary,
                                      std::string_view data,
                                      ArgumentMap& arguments, FileMap& files);

}  // namespace eddy

#endif  // EDDY_04_HTTPUTIL_FORM_H_
