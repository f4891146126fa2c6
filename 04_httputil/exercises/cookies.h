// Exercise 04.1 (easy): parse a Cookie header, Tornado's
// tornado.httputil.parse_cookie.
//
// Contract
// - Splits `header` on ';'. In each chunk, the name is the text before the
//   first '=' and the value the text after it; a chunk without '=' has an
//   empty name and the whole chunk as its value (what browsers do, Mozilla
//   bug 169091). Name and value are stripped of spaces and tabs at both
//   ends. Chunks whose name and value are both empty are dropped.
// - A value wrapped in double quotes is unquoted as Python's
//   http.cookies._unquote does: the outer quotes go, "\ooo" (a backslash,
//   one digit 0-3, two digits 0-7) becomes that byte, "\c" becomes c for any
//   other c, and a backslash at the very end stays. A value that only starts
//   (or only ends) with a quote, or is a lone '"', is kept as it is.
// - Returns the pairs in header order, duplicates kept (Tornado's dict keeps
//   the last of each name; the caller may do the same).
// - Linear in the header's size; reads only inside `header`; never throws.
// Threads: pure; any thread.
#ifndef EDDY_04_HTTPUTIL_EXERCISES_COOKIES_H_
#define EDDY_04_HTTPUTIL_EXERCISES_COOKIES_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy::exercises {

std::vector<std::pair<std::string, std::string>> parse_cookie(
    std::string_view header);

}  // namespace eddy::exercises

#endif  // EDDY_04_HTTPUTIL_EXERCISES_COOKIES_H_
