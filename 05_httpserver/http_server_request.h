// HTTPServerRequest: one HTTP request as the application sees it, Tornado's
// tornado.httputil.HTTPServerRequest (the tutorial's `request`).
//
// Two ways to answer (README.md, "Two ways to answer"):
// - raw, as in the tutorial: write(bytes) sends bytes as they are (the
//   application writes the status line and headers itself), finish() ends
//   the response;
// - framed: write_headers(start_line, headers), then write(chunk)..., then
//   finish(); the connection adds Content-Length or chunked encoding,
//   Connection and Date as needed (HTTP1Connection::write_headers).
// The first call decides the mode for this request.
//
// Threads: the IOLoop's thread.
// Lifetime: the connection creates the request as a shared_ptr and passes
// it to the request callback by reference. A callback that answers later
// keeps it alive with shared_from_this(). When the connection closes first,
// `connection` becomes nullptr and write/finish do nothing (Tornado raises
// StreamClosedError there; a closed peer is not an application bug). A
// stream that closed outside its callbacks (a write from a timer meeting a
// reset) is the same: write, write_headers and finish never throw for a
// client that has gone.
// Errors: write after finish throws std::logic_error. write_headers throws
// std::invalid_argument, writing nothing, for a status line or framing
// headers that cannot be sent as given (HTTP1Connection::write_headers).
#ifndef EDDY_05_HTTPSERVER_HTTP_SERVER_REQUEST_H_
#define EDDY_05_HTTPSERVER_HTTP_SERVER_REQUEST_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "04_httputil/form.h"
#include "04_httputil/headers.h"
#include "04_httputil/start_line.h"
#include "04_httputil/url.h"

namespace eddy {

class HTTP1Connection;

class HTTPServerRequest
    : public std::enable_shared_from_this<HTTPServerRequest> {
 public:
  std::string method;   // "GET"
  std::string uri;      // "/path?query", as sent
  std::string path;     // "/path"
  std::string query;    // "query" (without "?")
  std::string version;  // "HTTP/1.1"
  HTTPHeaders headers;
  std::string body;  // After de-chunking (and gunzip with decompress_request).
  std::string remote_ip;  // The peer, or the client per xheaders.
  std::string protocol;   // "http" or "https".
  std::string host;       // The Host header, or "127.0.0.1".
  std::string host_name;  // host without port, lower-cased.
  // Query and body arguments merged (query first), as Tornado's `arguments`.
  ArgumentMap arguments;
  ArgumentMap query_arguments;
  ArgumentMap body_arguments;
  FileMap files;
  // The connection this request arrived on; nullptr once it closed.
  HTTP1Connection* connection = nullptr;

  // Seconds since the request's head was read (request_time), or the time
  // the response took once finished.
  double request_time() const;
  // protocol + "://" + host + uri (full_url).
  std::string full_url() const;
  // True for HTTP/1.1 (supports_http_1_1).
  bool supports_http_1_1() const { return version == "HTTP/1.1"; }

  // Raw or framed body bytes (see above).
  void write(std::string chunk);
  // Framed API: status line and headers (forwarded to the connection).
  void write_headers(const ResponseStartLine& start_line, HTTPHeaders headers);
  // Ends the response.
  void finish();
  bool finished() const { return finished_; }

 private:
  friend class HTTP1Connection;
  double start_time_ = 0;
  double finish_time_ = 0;
  bool finished_ = false;
};

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_HTTP_SERVER_REQUEST_H_
