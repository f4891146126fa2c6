#include "05_httpserver/http_server_request.h"

#include <chrono>
#include <stdexcept>

#include "05_httpserver/http1connection.h"

namespace eddy {

double HTTPServerRequest::request_time() const {
  if (finish_time_ > 0) return finish_time_ - start_time_;
  // The IOLoop's clock: steady_clock in seconds.
  double now = std::chrono::duration<double>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count();
  return now - start_time_;
}

std::string HTTPServerRequest::full_url() const {
  return protocol + "://" + host + uri;
}

void HTTPServerRequest::write(std::string chunk) {
  if (finished_)
    throw std::logic_error("HTTPServerRequest::write after finish()");
  if (connection != nullptr) connection->write_raw(std::move(chunk));
}

void HTTPServerRequest::write_headers(const ResponseStartLine& start_line,
                                      HTTPHeaders headers) {
  if (finished_)
    throw std::logic_error("HTTPServerRequest::write_headers after finish()");
  if (connection != nullptr)
    connection->write_headers(start_line, std::move(headers));
}

void HTTPServerRequest::finish() {
  if (finished_) return;
  if (connection != nullptr) {
    connection->finish();
  } else {
    finished_ = true;
  }
}

}  // namespace eddy
