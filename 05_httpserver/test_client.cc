#include "05_httpserver/test_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "04_httputil/head.h"

namespace eddy::testing {

RawClient::RawClient(IOLoop& loop, int port) : loop_(loop) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Non-blocking: with many clients and a full listen backlog, a blocking
  // connect would wait for a server whose loop is not running.
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) !=
          0 &&
      errno != EINPROGRESS) {
    int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::generic_category(), "connect");
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // WRITE readiness means connected; flush() then drops the interest.
  loop_.add_handler(
      fd_, [this](int, uint32_t events) { on_events(events); },
      IOLoop::READ | IOLoop::WRITE);
}

RawClient::~RawClient() {
  if (fd_ >= 0) {
    loop_.remove_handler(fd_);
    ::close(fd_);
  }
}

void RawClient::send(std::string_view bytes) {
  pending_.append(bytes);
  flush();
}

void RawClient::flush() {
  if (!connected_) return;  // on_events flushes once the connect completes.
  while (!pending_.empty()) {
    ssize_t n = ::send(fd_, pending_.data(), pending_.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      pending_.clear();  // The server went away; nothing more to send.
      break;
    }
    pending_.erase(0, static_cast<size_t>(n));
  }
  if (!closed_ && loop_.has_handler(fd_)) {
    loop_.update_handler(
        fd_, pending_.empty() ? IOLoop::READ : IOLoop::READ | IOLoop::WRITE);
  }
}

void RawClient::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

void RawClient::reset() {
  linger option{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  loop_.remove_handler(fd_);
  ::close(fd_);
  fd_ = -1;
  closed_ = true;
}

void RawClient::on_events(uint32_t events) {
  if ((events & IOLoop::WRITE) && !connected_) connected_ = true;
  if (events & IOLoop::WRITE) flush();
  if (events & (IOLoop::READ | IOLoop::ERROR)) {
    char buffer[65536];
    while (true) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) {
        received_.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EINTR)) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      closed_ = true;  // EOF or reset.
      loop_.remove_handler(fd_);
      break;
    }
  }
}

namespace {

// Decodes a chunked body starting at `bytes`; returns the bytes used, or 0
// when incomplete.
size_t decode_chunked(std::string_view bytes, std::string& body) {
  size_t position = 0;
  while (true) {
    size_t line_end = bytes.find("\r\n", position);
    if (line_end == std::string_view::npos) return 0;
    size_t size = std::stoul(
        std::string(bytes.substr(position, line_end - position)), nullptr, 16);
    position = line_end + 2;
    if (size == 0) {
      // Trailers, then an empty line.
      while (true) {
        size_t end = bytes.find("\r\n", position);
        if (end == std::string_view::npos) return 0;
        bool empty = end == position;
        position = end + 2;
        if (empty) return position;
      }
    }
    if (bytes.size() < position + size + 2) return 0;
    body.append(bytes.substr(position, size));
    position += size + 2;
  }
}

}  // namespace

std::vector<Response> parse_responses(std::string_view bytes,
                                      const std::vector<std::string>& methods,
                                      bool peer_closed, size_t* consumed) {
  std::vector<Response> responses;
  size_t position = 0;
  size_t final_index = 0;
  while (position < bytes.size()) {
    size_t head_end = bytes.find("\r\n\r\n", position);
    if (head_end == std::string_view::npos) break;
    Response response;
    response.head =
        std::string(bytes.substr(position, head_end + 4 - position));
    ResponseHead head = parse_response_head(response.head);
    response.code = head.start_line.code;
    response.reason = head.start_line.reason;
    response.version = head.start_line.version;
    response.headers = std::move(head.headers);
    size_t body_start = head_end + 4;
    std::string method =
        final_index < methods.size() ? methods[final_index] : "GET";
    bool informational = response.code < 200;
    bool no_body = informational || method == "HEAD" || response.code == 204 ||
                   response.code == 304;
    size_t next = body_start;
    if (!no_body) {
      auto length = response.headers.get_first("Content-Length");
      auto encoding = response.headers.get_first("Transfer-Encoding");
      if (encoding && *encoding == "chunked") {
        size_t used = decode_chunked(bytes.substr(body_start), response.body);
        if (used == 0) break;
        next = body_start + used;
      } else if (length) {
        size_t size = std::stoul(std::string(*length));
        if (bytes.size() < body_start + size) break;
        response.body = std::string(bytes.substr(body_start, size));
        next = body_start + size;
      } else {
        if (!peer_closed) break;
        response.body = std::string(bytes.substr(body_start));
        next = bytes.size();
      }
    }
    position = next;
    if (!informational) final_index++;
    responses.push_back(std::move(response));
  }
  if (consumed != nullptr) *consumed = position;
  return responses;
}

size_t count_final_responses(std::string_view bytes,
                             const std::vector<std::string>& methods,
                             bool peer_closed) {
  size_t count = 0;
  for (const Response& response :
       parse_responses(bytes, methods, peer_closed)) {
    if (response.code >= 200) count++;
  }
  return count;
}

}  // namespace eddy::testing
