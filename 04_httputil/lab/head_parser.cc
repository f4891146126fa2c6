// Lab 04: the head parser. Write the four functions below, in this order;
// the handout is README.md next to this file, the contracts are in
// 04_httputil/start_line.h (parse_request_start_line,
// parse_response_start_line) and 04_httputil/headers.h
// (HTTPHeaders::parse_line, HTTPHeaders::parse).
//
//   tools/bazel test --config=lab04 //04_httputil:start_line_test
//   tools/bazel test --config=lab04 //04_httputil:headers_test
//
// Every function starts as a call to eddy::lab::todo(), which throws
// "TODO(lab 04): ...": replace the call with your code. Add any helpers you
// like in the anonymous namespace. Use the character tables of
// 04_httputil/chars.h (is_token, is_tchar, is_target_char, is_ows,
// is_field_value, strip_ows) rather than writing your own, and build every
// error message with quote_for_error (errors.h).
#include "04_httputil/chars.h"
#include "04_httputil/headers.h"
#include "04_httputil/start_line.h"
#include "tools/lab/todo.h"

namespace eddy {
namespace {

// Your helpers here, e.g. one that throws HTTPInputError(what + " " +
// quote_for_error(line)).

}  // namespace

// 1. `method SP request-target SP HTTP-version`, nothing more and nothing
//    less (start_line.h):
//    a. Find the first two SPs; fewer than two is an error. (A third SP
//       ends up in the version, which step d then rejects.)
//    b. The method must be a token (chars::is_token).
//    c. The request-target must be non-empty and every byte a
//       chars::is_target_char.
//    d. The version must pass is_http_version; this error's message must
//       contain "Malformed HTTP version".
//    e. Return the three parts as strings.
RequestStartLine parse_request_start_line(std::string_view line) {
  static_cast<void>(line);
  lab::todo("04", "parse_request_start_line");
}

// 2. `HTTP-version SP 3DIGIT SP reason-phrase` (start_line.h): the version
//    (is_http_version), one SP, three digits making a code of at least 100,
//    one SP (even when the reason is empty), and a reason with no control
//    character but HTAB (chars::is_field_value), kept as it is.
ResponseStartLine parse_response_start_line(std::string_view line) {
  static_cast<void>(line);
  lab::todo("04", "parse_response_start_line");
}

// 3. One header line (headers.h, parse_line):
//    a. Drop one trailing "\n" and then one "\r" before it, if any (a "\r"
//       without the "\n" stays: it is a control character). An empty line
//       adds nothing.
//    b. A line starting with SP or HTAB (chars::is_ows) is an obs-fold
//       continuation: throw if there is no field yet (empty()) or if the
//       line holds a control character; strip it; if anything is left,
//       append it to the last value with append_to_last_value(), after one
//       " " unless that value is empty (field(size() - 1).value).
//    c. Otherwise it is `name ":" OWS value OWS`. Find where the name ends
//       (the first byte that is not chars::is_tchar): it must be a colon and
//       the name must not be empty; say in the message whether it was
//       whitespace before the colon, another bad byte, or no colon at all.
//    d. Strip SP/HTAB around the value and check it (chars::is_field_value).
//    e. Only when everything is valid, add(name, value): the object must be
//       unchanged when you throw.
void HTTPHeaders::parse_line(std::string_view line) {
  static_cast<void>(line);
  lab::todo("04", "HTTPHeaders::parse_line");
}

// 4. A whole block (headers.h, parse): cut `text` after each "\n" (the last
//    line may have none) and hand each line, terminator included, to
//    parse_line of a new HTTPHeaders. Only "\n" ends a line: never split on
//    a bare "\r".
HTTPHeaders HTTPHeaders::parse(std::string_view text) {
  static_cast<void>(text);
  lab::todo("04", "HTTPHeaders::parse");
}

}  // namespace eddy
