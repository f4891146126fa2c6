// HTTP1Connection: writing responses — the raw and framed APIs, the
// responses the server generates itself, and the access log.
#include <cctype>
#include <cstdio>
#include <limits>
#include <optional>
#include <stdexcept>

#include "01_ioloop/log.h"
#include "04_httputil/chars.h"
#include "04_httputil/responses.h"
#include "05_httpserver/http1connection.h"

namespace eddy {
namespace {

std::string reason_for(int code) {
  std::string_view reason = responses(code);
  return reason.empty() ? std::string("Unknown") : std::string(reason);
}

// The framing rules of RFC 9110 §6.4.1: no body for these.
bool status_has_body(int code) {
  return code >= 200 && code != 204 && code != 304;
}

// What the Connection header of a raw response head says: the application
// wrote the head itself, and the connection must not contradict it.
HTTP1Connection::RawConnection raw_connection_header(std::string_view bytes) {
  size_t head_end = bytes.find("\r\n\r\n");
  std::string_view head = bytes.substr(0, head_end);
  size_t line = 0;
  while ((line = head.find('\n', line)) != std::string_view::npos) {
    ++line;
    constexpr std::string_view kName = "connection:";
    if (head.size() - line < kName.size()) break;
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i) {
      match =
          std::tolower(static_cast<unsigned char>(head[line + i])) == kName[i];
    }
    if (!match) continue;
    size_t value_end = head.find('\r', line);
    std::string value(
        head.substr(line + kName.size(), value_end - line - kName.size()));
    for (char& c : value)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (value.find("close") != std::string::npos)
      return HTTP1Connection::RawConnection::kClose;
    if (value.find("keep-alive") != std::string::npos) {
      return HTTP1Connection::RawConnection::kKeepAlive;
    }
  }
  return HTTP1Connection::RawConnection::kUnspecified;
}

// Issue 15, item 1: the status line the application gives must be one
// line. status-line = HTTP-version SP 3DIGIT SP reason-phrase, reason-phrase
// = *( HTAB / SP / VCHAR / obs-text ) (RFC 9112 §4): a CR or LF would end
// the line early and let the reason write headers of its own.
void check_start_line(const ResponseStartLine& start_line) {
  if (start_line.code < 100 || start_line.code > 999) {
    throw std::invalid_argument(
        "write_headers: status code " + std::to_string(start_line.code) +
        " is not three digits (100 to 999, RFC 9110 §15)");
  }
  for (char c : start_line.reason) {
    if (!chars::is_field_char(c)) {
      throw std::invalid_argument(
          "write_headers: the reason phrase holds byte " +
          std::to_string(static_cast<unsigned char>(c)) +
          "; only HTAB, SP, VCHAR and obs-text are allowed (RFC 9112 §4)");
    }
  }
}

// Parses a Content-Length value the application gave: 1*DIGIT within 64
// bits, nothing else (no sign, no whitespace, no list).
bool parse_response_length(std::string_view text, uint64_t& value) {
  if (text.empty()) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return false;
    value = value * 10 + digit;
  }
  return true;
}

// Issue 15, item 2: the framing headers the application gave must describe
// one body length (RFC 9110 §8.6, RFC 9112 §6.3). Returns the declared
// Content-Length, if any; equal repeats are collapsed into one field.
// Throws std::invalid_argument for Content-Length with Transfer-Encoding,
// two lengths that differ, or one that does not parse.
std::optional<uint64_t> checked_content_length(HTTPHeaders& headers) {
  std::optional<uint64_t> length;
  size_t fields = 0;
  for (size_t i = 0; i < headers.size(); ++i) {
    HTTPHeaders::Field field = headers.field(i);
    if (!chars::iequals(field.name, "Content-Length")) continue;
    uint64_t value = 0;
    if (!parse_response_length(field.value, value)) {
      throw std::invalid_argument(
          "write_headers: Content-Length is not a decimal number within 64 "
          "bits (RFC 9110 §8.6): \"" +
          std::string(field.value.substr(0, 32)) + "\"");
    }
    if (length && *length != value) {
      throw std::invalid_argument(
          "write_headers: two Content-Length fields that differ");
    }
    length = value;
    fields++;
  }
  if (length && headers.contains("Transfer-Encoding")) {
    throw std::invalid_argument(
        "write_headers: Content-Length with Transfer-Encoding (RFC 9112 "
        "§6.1: a sender must not send both)");
  }
  if (fields > 1) headers.set("Content-Length", std::to_string(*length));
  return length;
}

// A 1xx the connection can send as an interim response: not 101 (eddy
// switches to no other protocol) and without a body's framing (RFC 9110
// §8.6, RFC 9112 §6.1). Throws std::invalid_argument otherwise.
void check_interim_headers(const ResponseStartLine& start_line,
                           const HTTPHeaders& headers) {
  if (start_line.code == 101) {
    throw std::invalid_argument(
        "write_headers: 101 Switching Protocols is not supported (eddy has "
        "no protocol upgrade)");
  }
  if (headers.contains("Content-Length") ||
      headers.contains("Transfer-Encoding")) {
    throw std::invalid_argument(
        "write_headers: a 1xx response has no Content-Length or "
        "Transfer-Encoding (RFC 9110 §8.6, RFC 9112 §6.1)");
  }
}

// "HTTP/1.1 200 OK\r\n" + the fields + the empty line.
std::string response_head(const ResponseStartLine& start_line,
                          const HTTPHeaders& headers) {
  std::string head = "HTTP/1.1 ";
  head += std::to_string(start_line.code);
  head += ' ';
  head += start_line.reason.empty() ? reason_for(start_line.code)
                                    : start_line.reason;
  head += "\r\n";
  head += headers.to_string();
  head += "\r\n";
  return head;
}

}  // namespace

void HTTP1Connection::write_to_stream(std::string bytes) {
  if (stream_->closed()) return;
  stream_->write(std::move(bytes));
}

// ---- The raw API (the tutorial's request.write / request.finish) -----------

void HTTP1Connection::write_raw(std::string bytes) {
  if (state_ != State::kHandling) return;  // Closed: nobody to tell.
  if (response_mode_ == ResponseMode::kFramed) {
    write(std::move(bytes));
    return;
  }
  if (response_mode_ == ResponseMode::kNone) {
    response_mode_ = ResponseMode::kRaw;
    raw_response_.start(std::string_view(request_->method) == "HEAD");
    raw_connection_ = raw_connection_header(bytes);
  }
  // Issue 15, item 3: no body after the head of a response to HEAD, or of
  // a 204 or 304, or the client reads it as the next response.
  size_t kept = raw_response_.scan(bytes);
  if (kept == 0) return;
  if (kept < bytes.size()) bytes.resize(kept);
  write_to_stream(std::move(bytes));
}

// ---- The framed API
// -----------------------------------------------------------

void HTTP1Connection::write_headers(const ResponseStartLine& start_line,
                                    HTTPHeaders headers) {
  // No request: finished, waiting for its output to drain (finish_request).
  if (state_ != State::kHandling || !request_) return;
  if (response_mode_ != ResponseMode::kNone) {
    throw std::logic_error("write_headers: the response was already started");
  }
  check_start_line(start_line);
  const HTTPServerRequest& request = *request_;
  bool http_1_1 = request.version == "HTTP/1.1";
  if (start_line.code < 200) {
    // An interim response: the mode stays kNone, the final one follows.
    check_interim_headers(start_line, headers);
    // RFC 9110 §15.2: an HTTP/1.0 client gets no 1xx.
    if (http_1_1) write_to_stream(response_head(start_line, headers));
    return;
  }
  std::optional<uint64_t> length = checked_content_length(headers);
  response_mode_ = ResponseMode::kFramed;
  response_status_ = static_cast<uint16_t>(start_line.code);
  response_body_allowed_ =
      request.method != "HEAD" && status_has_body(start_line.code);
  bool has_length = length.has_value();
  chunking_output_ = http_1_1 && response_body_allowed_ && !has_length &&
                     !headers.contains("Transfer-Encoding");
  response_keep_alive_ =
      request_keep_alive_ && !header_has_token(headers, "Connection", "close");
  // Without a length or chunking, only closing the connection ends the body.
  if (response_body_allowed_ && !chunking_output_ && !has_length)
    response_keep_alive_ = false;
  content_length_declared_ = response_body_allowed_ && has_length;
  if (content_length_declared_) content_remaining_ = *length;

  if (chunking_output_) headers.set("Transfer-Encoding", "chunked");
  if (http_1_1 && !response_keep_alive_) headers.set("Connection", "close");
  if (!http_1_1 && response_keep_alive_)
    headers.set("Connection", "Keep-Alive");
  if (!headers.contains("Date"))
    headers.add("Date", context_->date_cache.now());
  write_to_stream(response_head(start_line, headers));
}

void HTTP1Connection::write(std::string chunk) {
  if (state_ != State::kHandling) return;
  if (response_mode_ != ResponseMode::kFramed) {
    throw std::logic_error("HTTP1Connection::write before write_headers");
  }
  if (!response_body_allowed_ || chunk.empty()) return;
  if (content_length_declared_) {
    if (chunk.size() > content_remaining_) {
      throw std::logic_error("Tried to write more data than Content-Length");
    }
    content_remaining_ -= chunk.size();
  }
  if (!chunking_output_) {
    write_to_stream(std::move(chunk));
    return;
  }
  char size_line[24];
  int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  std::string framed;
  framed.reserve(static_cast<size_t>(n) + chunk.size() + 2);
  framed.append(size_line, static_cast<size_t>(n));
  framed.append(chunk);
  framed.append("\r\n");
  write_to_stream(std::move(framed));
}

void HTTP1Connection::finish() {
  if (state_ != State::kHandling || !request_ || request_->finished_) return;
  request_->finished_ = true;
  switch (response_mode_) {
    case ResponseMode::kNone:
      log(LogChannel::kApplication, LogLevel::kError,
          "finish() without a response for " + request_->method + " " +
              request_->uri + "; closing the connection");
      response_keep_alive_ = false;
      break;
    case ResponseMode::kRaw:
      // For the access log: the final head's status (0 for opaque bytes).
      response_status_ = raw_response_.status();
      // HTTP/1.1 stays open unless the head said close; an HTTP/1.0 client
      // reads a response without "Connection: keep-alive" until the close.
      response_keep_alive_ =
          request_keep_alive_ &&
          (request_->version == "HTTP/1.1"
               ? raw_connection_ != RawConnection::kClose
               : raw_connection_ == RawConnection::kKeepAlive);
      if (!raw_response_.final_head_seen()) {
        // Only interim heads, or part of the final one: the client still
        // waits for its answer, so the next request must not be read.
        log(LogChannel::kApplication, LogLevel::kError,
            "finish() before the end of a raw response head for " +
                request_->method + " " + request_->uri +
                "; closing the connection");
        response_keep_alive_ = false;
      }
      break;
    case ResponseMode::kFramed:
      if (chunking_output_) write_to_stream("0\r\n\r\n");
      if (content_length_declared_ && content_remaining_ != 0) {
        log(LogChannel::kApplication, LogLevel::kError,
            "Response shorter than its Content-Length for " + request_->method +
                " " + request_->uri + "; closing the connection");
        response_keep_alive_ = false;
      }
      break;
  }
  finish_request();
}

// ---- Responses the server writes itself
// ---------------------------------------

void HTTP1Connection::send_error(int status, std::string_view reason) {
  if (stream_->closed()) return;
  if (log_enabled(LogLevel::kInfo)) {
    log(LogChannel::kGeneral, LogLevel::kInfo,
        "Bad HTTP request from " + peer_ip_ + ": " + std::to_string(status) +
            " (" + std::string(reason) + ")");
  }
  std::string response = "HTTP/1.1 ";
  response += std::to_string(status);
  response += ' ';
  response += reason_for(status);
  response += "\r\nContent-Length: 0\r\nConnection: close\r\nDate: ";
  response += context_->date_cache.now();
  response += "\r\n\r\n";
  write_to_stream(std::move(response));
  if (request_) {
    response_status_ = static_cast<uint16_t>(status);
    request_->finished_ = true;
    request_->finish_time_ = stream_->io_loop().time();
    log_access();
    request_->connection = nullptr;
    request_.reset();
  }
  linger_and_close();
}

void HTTP1Connection::send_continue() {
  std::string response = "HTTP/1.1 100 Continue\r\nDate: ";
  response += context_->date_cache.now();
  response += "\r\n\r\n";
  write_to_stream(std::move(response));
}

// Tornado's log_request: info below 400, warning for 4xx, error for 5xx.
void HTTP1Connection::log_access() {
  LogLevel level = response_status_ < 400   ? LogLevel::kInfo
                   : response_status_ < 500 ? LogLevel::kWarning
                                            : LogLevel::kError;
  if (!log_enabled(level)) return;
  char line[64];
  std::snprintf(line, sizeof line, "%.2fms", 1000.0 * request_->request_time());
  log(LogChannel::kAccess, level,
      std::to_string(response_status_) + " " + request_->method + " " +
          request_->uri + " (" + request_->remote_ip + ") " + line);
}

}  // namespace eddy
