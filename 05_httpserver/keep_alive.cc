// The client's side of the keep-alive decision (request_framing.h):
// Connection tokens, and the HTTP/1.0 and HTTP/1.1 defaults. Lab 05's
// students write this file (lab/keep_alive.cc).
#include "04_httputil/chars.h"
#include "05_httpserver/header_lists.h"
#include "05_httpserver/request_framing.h"

namespace eddy {

bool header_has_token(const HTTPHeaders& headers, std::string_view name,
                      std::string_view token) {
  bool found = false;
  for_each_list_element(headers, name, [&](std::string_view element) {
    found = found || chars::iequals(element, token);
  });
  return found;
}

bool request_allows_keep_alive(std::string_view version,
                               const HTTPHeaders& headers) {
  if (header_has_token(headers, "Connection", "close")) return false;
  if (version == "HTTP/1.0")
    return header_has_token(headers, "Connection", "keep-alive");
  return true;
}

}  // namespace eddy
