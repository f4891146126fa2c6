// Lab 05, part 1: the keep-alive rules (README.md, "Step 1"). The contract
// is in 05_httpserver/request_framing.h; the tests are
// RequestFraming.KeepAliveRules, then the HTTP/1.0 and keep-alive tests of
// httpserver_test. Remove the [[maybe_unused]] as you use each parameter.
#include "04_httputil/chars.h"
#include "05_httpserver/header_lists.h"
#include "05_httpserver/request_framing.h"
#include "tools/lab/todo.h"

namespace eddy {

// TODO(lab 05) 1: walk the elements of every `name` header with
// for_each_list_element (header_lists.h) and say whether one of them equals
// `token`, ignoring case (chars::iequals, 04_httputil/chars.h).
bool header_has_token([[maybe_unused]] const HTTPHeaders& headers,
                      [[maybe_unused]] std::string_view name,
                      [[maybe_unused]] std::string_view token) {
  lab::todo("05", "header_has_token");
}

// TODO(lab 05) 2: the client's side of keep-alive. A "close" token in
// Connection always closes; HTTP/1.0 stays open only with a "keep-alive"
// token; HTTP/1.1 stays open otherwise. (no_keep_alive is applied by the
// caller, HTTP1Connection::start_request.)
bool request_allows_keep_alive([[maybe_unused]] std::string_view version,
                               [[maybe_unused]] const HTTPHeaders& headers) {
  lab::todo("05", "request_allows_keep_alive");
}

}  // namespace eddy
