// HTTPServerOptions: the keyword arguments of Tornado's HTTPServer
// (httpserver.py) and HTTP1ConnectionParameters (http1connection.py).
#ifndef EDDY_05_HTTPSERVER_HTTP_SERVER_OPTIONS_H_
#define EDDY_05_HTTPSERVER_HTTP_SERVER_OPTIONS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "02_netutil/ssl_context.h"

namespace eddy {

struct HTTPServerOptions {
  // Close every connection after one response.
  bool no_keep_alive = false;
  // Trust X-Real-Ip / X-Forwarded-For and X-Scheme / X-Forwarded-Proto (set
  // it only behind a proxy that sets them).
  bool xheaders = false;
  // Serve HTTPS with these (certfile/keyfile required).
  std::optional<SSLOptions> ssl_options;
  // Overrides request.protocol ("http"/"https" from the transport otherwise).
  std::string protocol;
  // Largest request head (start line + headers) accepted; larger → 431.
  size_t max_header_size = 64 * 1024;
  // Largest request body accepted (declared or received); larger → 413.
  size_t max_body_size = 100 * 1024 * 1024;
  // Seconds a connection may wait for a complete request head (idle
  // keep-alive, or a head trickling in); then it is closed.
  double idle_connection_timeout = 3600;
  // Seconds a request body may take to arrive once its head is read; 0 = no
  // limit.
  double body_timeout = 0;
  // Bytes read from the socket at a time (Tornado's chunk_size).
  size_t chunk_size = 64 * 1024;
  // Gunzip request bodies sent with Content-Encoding: gzip.
  bool decompress_request = false;
  // Proxy addresses to skip in X-Forwarded-For, as Tornado's
  // trusted_downstream.
  std::vector<std::string> trusted_downstream;
};

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_HTTP_SERVER_OPTIONS_H_
