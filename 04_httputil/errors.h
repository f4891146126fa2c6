// HTTPInputError: the one error of chapter 04, Tornado's
// tornado.httputil.HTTPInputError.
//
// The error rule of this layer, stated once: every function in 04_httputil
// that rejects its input (a malformed header line, start line, query,
// multipart body, header name or value) throws HTTPInputError and leaves its
// output arguments in a valid but unspecified state. Nothing in this layer
// returns error codes, and nothing reads past the std::string_view it is
// given. Chapter 05 turns an HTTPInputError into "400 Bad Request".
//
// Thread-safety: the functions here are pure; any thread may call them.
#ifndef EDDY_04_HTTPUTIL_ERRORS_H_
#define EDDY_04_HTTPUTIL_ERRORS_H_

#include <stdexcept>
#include <string>
#include <string_view>

namespace eddy {

// Thrown for malformed HTTP input. what() says what was wrong and quotes the
// offending text through quote_for_error, so it is safe to log.
class HTTPInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Renders untrusted bytes for an error message, like Python's repr(): wrapped
// in single quotes, printable ASCII kept, everything else as \xNN (or \r, \n,
// \t), and cut after `max_bytes` input bytes with "..." appended. The result
// never contains control characters, so a hostile request cannot forge log
// lines.
std::string quote_for_error(std::string_view text, std::size_t max_bytes = 64);

}  // namespace eddy

#endif  // EDDY_04_HTTPUTIL_ERRORS_H_
