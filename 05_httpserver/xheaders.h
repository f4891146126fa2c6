// Internal to 05_httpserver: filling in the derived fields of a request
// (path, query, arguments, host, remote_ip, protocol), including Tornado's
// xheaders rules (HTTPServer's _HTTPRequestContext._apply_xheaders).
#ifndef EDDY_05_HTTPSERVER_XHEADERS_H_
#define EDDY_05_HTTPSERVER_XHEADERS_H_

#include <string>

#include "05_httpserver/http_server_options.h"
#include "05_httpserver/http_server_request.h"

namespace eddy {

// `request` has method, uri, version, headers and body; this sets path,
// query, query/body arguments, arguments, files, host, host_name, and
// remote_ip/protocol from the peer (or, with options.xheaders, from
// X-Real-Ip / X-Forwarded-For and X-Scheme / X-Forwarded-Proto). Throws
// HTTPInputError for a malformed body the form parser rejects.
void fill_request_details(HTTPServerRequest& request,
                          const std::string& peer_ip,
                          const std::string& protocol,
                          const HTTPServerOptions& options);

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_XHEADERS_H_
