// Reason phrases: Tornado's `responses` (Python's http.client.responses),
// "404" -> "Not Found", with the RFC 9110 wording (413 "Content Too Large",
// 422 "Unprocessable Content", as Python 3.13).
//
// Contract: returns a view of static storage, or an empty view for a code
// without a registered phrase (Tornado then writes "Unknown"). Never throws;
// any thread may call it.
#ifndef EDDY_04_HTTPUTIL_RESPONSES_H_
#define EDDY_04_HTTPUTIL_RESPONSES_H_

#include <string_view>

namespace eddy {

std::string_view responses(int code);

}  // namespace eddy

#endif  // EDDY_04_HTTPUTIL_RESPONSES_H_
