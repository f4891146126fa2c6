// Exercise 04.1: parse a Cookie header. Replace the TODO; the statement is in
// README.md, the contract in cookies.h, the grading tests in cookies_test.cc:
//   tools/bazel test //04_httputil/exercises:cookies_test
#include "04_httputil/exercises/cookies.h"

namespace eddy::exercises {

std::vector<std::pair<std::string, std::string>> parse_cookie(
    std::string_view header) {
  // TODO: split on ';' with std::string_view::find (no copies until the
  // result), strip, split on the first '=', unquote. Write the unquoting as
  // its own function.
  (void)header;
  return {};
}

}  // namespace eddy::exercises
