// SSLIOStream: IOStream's transport hooks over BoringSSL.
//
// BoringSSL talks to the socket through a small BIO of our own (recv, and
// send with MSG_NOSIGNAL, so a dead peer gives EPIPE instead of SIGPIPE).
// The handshake is a state machine driven by readiness events:
//
//   created ─(server: READ / client: WRITE)─> do_handshake()
//     WANT_READ  -> watch READ,  retry on the next event
//     WANT_WRITE -> watch WRITE, retry on the next event
//     done       -> connect callback (client), wait_for_handshake callbacks,
//                   then the plain IOStream read/write paths over SSL_read/
//                   SSL_write
//     failure    -> close(tls error)
//
// After the handshake, SSL_read may want to write (a TLS 1.3 key update) and
// SSL_write may want to read; the flags read_wants_write_/write_wants_read_
// add the other direction to the watched events and route its readiness
// back to the operation that waits for it (handle_io).
#include "03_iostream/ssl_iostream.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace eddy {
namespace {

// ---- The socket BIO ---------------------------------------------------------

int bio_fd(BIO* bio) {
  return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio)));
}

bool would_block(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

int bio_read(BIO* bio, char* out, int length) {
  BIO_clear_retry_flags(bio);
  ssize_t count = ::recv(bio_fd(bio), out, static_cast<size_t>(length), 0);
  if (count < 0 && would_block(errno)) BIO_set_retry_read(bio);
  return static_cast<int>(count);
}

int bio_write(BIO* bio, const char* in, int length) {
  BIO_clear_retry_flags(bio);
  ssize_t count =
      ::send(bio_fd(bio), in, static_cast<size_t>(length), MSG_NOSIGNAL);
  if (count < 0 && would_block(errno)) BIO_set_retry_write(bio);
  return static_cast<int>(count);
}

long bio_ctrl(BIO*, int command, long, void*) {
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* socket_bio_method() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* created = BIO_meth_new(BIO_TYPE_SOCKET, "eddy socket");
    BIO_meth_set_read(created, bio_read);
    BIO_meth_set_write(created, bio_write);
    BIO_meth_set_ctrl(created, bio_ctrl);
    BIO_meth_set_create(created, bio_create);
    return created;
  }();
  return method;
}

// ---- Errors
// -------------------------------------------------------------------

class TLSCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "tls"; }
  std::string message(int value) const override {
    if (value == kTLSHandshakeEOF) {
      return "the peer closed the connection during the TLS handshake";
    }
    if (value == kTLSHandshakeReset) {
      return "a socket error interrupted the TLS handshake";
    }
    if (value & kTLSVerifyFailed) {
      return std::string("certificate verify failed: ") +
             X509_verify_cert_error_string(value & ~kTLSVerifyFailed);
    }
    const char* reason = ERR_reason_error_string(static_cast<uint32_t>(value));
    return reason != nullptr ? reason : "TLS error " + std::to_string(value);
  }
};

// The first queued BoringSSL error as a tls error code; clears the queue.
std::error_code take_ssl_error() {
  uint32_t packed = ERR_get_error();
  ERR_clear_error();
  if (packed == 0) packed = ERR_PACK(ERR_LIB_SSL, SSL_R_UNKNOWN_PROTOCOL);
  return {static_cast<int>(packed), tls_category()};
}

// Coalescing small queued chunks into one SSL_write (one record) beats one
// record per chunk; chunks this large go to SSL_write as they are.
constexpr size_t kCoalesceLimit = 16 * 1024;

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

bssl::UniquePtr<SSL> new_ssl(SSL_CTX* context) {
  if (context == nullptr)
    throw std::invalid_argument("SSLIOStream: no SSL_CTX");
  bssl::UniquePtr<SSL> ssl(SSL_new(context));
  if (!ssl) throw std::runtime_error("SSLIOStream: SSL_new failed");
  return ssl;
}

}  // namespace

const std::error_category& tls_category() {
  static const TLSCategory category;
  return category;
}

// ---- Construction
// ---------------------------------------------------------------

SSLIOStream::SSLIOStream(Socket socket, bssl::UniquePtr<SSL> ssl, bool server,
                         IOLoop& io_loop, size_t max_buffer_size,
                         size_t read_chunk_size)
    : IOStream(std::move(socket), io_loop, max_buffer_size, read_chunk_size),
      ssl_(std::move(ssl)),
      server_(server) {
  // SSL_read returns one record at a time, so a short read does not mean
  // the socket is drained: stay level-triggered.
  use_level_triggered();
  BIO* bio = BIO_new(socket_bio_method());
  if (bio == nullptr) throw std::runtime_error("SSLIOStream: BIO_new failed");
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd())));
  SSL_set_bio(ssl_.get(), bio, bio);  // The SSL owns the BIO (one reference).
  SSL_set_mode(ssl_.get(), SSL_MODE_ENABLE_PARTIAL_WRITE |
                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (server_) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
  }
}

namespace {

// Lets std::make_shared reach the protected constructor (one allocation).
struct SharedSSLIOStream : SSLIOStream {
  SharedSSLIOStream(Socket socket, bssl::UniquePtr<SSL> ssl, bool server,
                    IOLoop& io_loop, size_t max_buffer_size,
                    size_t read_chunk_size)
      : SSLIOStream(std::move(socket), std::move(ssl), server, io_loop,
                    max_buffer_size, read_chunk_size) {}
};

}  // namespace

std::shared_ptr<SSLIOStream> SSLIOStream::create_server(
    Socket socket, SSL_CTX* context, IOLoop& io_loop, size_t max_buffer_size,
    size_t read_chunk_size) {
  std::shared_ptr<SSLIOStream> stream = std::make_shared<SharedSSLIOStream>(
      std::move(socket), new_ssl(context), true, io_loop, max_buffer_size,
      read_chunk_size);
  stream->handshake_started_ = true;
  stream->handshake_wants_ = IOLoop::READ;  // The ClientHello.
  stream->update_io_state();
  return stream;
}

std::shared_ptr<SSLIOStream> SSLIOStream::create_client(
    Socket socket, SSL_CTX* context, const std::string& server_hostname,
    IOLoop& io_loop, size_t max_buffer_size, size_t read_chunk_size) {
  bssl::UniquePtr<SSL> ssl = new_ssl(context);
  if (is_ip_literal(server_hostname)) {
    if (!X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()),
                                       server_hostname.c_str())) {
      throw std::invalid_argument("SSLIOStream: bad IP " + server_hostname);
    }
  } else if (!server_hostname.empty()) {
    if (!SSL_set1_host(ssl.get(), server_hostname.c_str()) ||
        !SSL_set_tlsext_host_name(ssl.get(), server_hostname.c_str())) {
      throw std::invalid_argument("SSLIOStream: bad host name " +
                                  server_hostname);
    }
  }
  std::shared_ptr<SSLIOStream> stream = std::make_shared<SharedSSLIOStream>(
      std::move(socket), std::move(ssl), false, io_loop, max_buffer_size,
      read_chunk_size);
  sockaddr_storage peer;
  socklen_t length = sizeof peer;
  if (::getpeername(stream->fd(), reinterpret_cast<sockaddr*>(&peer),
                    &length) == 0) {
    stream->on_connected();  // Already connected: start the handshake.
    stream->update_io_state();
  }
  return stream;
}

// ---- Public calls
// ------------------------------------------------------------------

void SSLIOStream::wait_for_handshake(std::function<void()> callback) {
  if (closed()) {
    throw StreamClosedError("SSLIOStream::wait_for_handshake: closed");
  }
  if (handshake_done_) {
    run_callback_soon(std::move(callback));
  } else {
    handshake_callback_ = std::move(callback);
  }
}

bool SSLIOStream::handshake_done() const { return handshake_done_; }

std::string SSLIOStream::alpn_protocol() const {
  const uint8_t* data = nullptr;
  unsigned length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

// ---- Handshake
// -------------------------------------------------------------------

void SSLIOStream::on_connected() {
  // The client's connect callback waits for the handshake (as Tornado's).
  handshake_started_ = true;
  handshake_wants_ = IOLoop::WRITE;  // The ClientHello.
}

void SSLIOStream::do_handshake() {
  ERR_clear_error();
  errno = 0;
  int result = SSL_do_handshake(ssl_.get());
  if (result == 1) {
    handshake_done_ = true;
    handshake_wants_ = 0;
    run_connect_callback();
    if (handshake_callback_) {
      run_callback_soon(std::move(handshake_callback_));
      handshake_callback_ = nullptr;
    }
    return;
  }
  int saved_errno = errno;
  int error = SSL_get_error(ssl_.get(), result);
  if (error == SSL_ERROR_WANT_READ) {
    handshake_wants_ = IOLoop::READ;
  } else if (error == SSL_ERROR_WANT_WRITE) {
    handshake_wants_ = IOLoop::WRITE;
  } else {
    close(handshake_error(error, saved_errno));
  }
}

std::error_code SSLIOStream::handshake_error(int ssl_error, int saved_errno) {
  if (ssl_error == SSL_ERROR_SSL) {
    uint32_t packed = ERR_peek_error();
    if (ERR_GET_LIB(packed) == ERR_LIB_SSL &&
        ERR_GET_REASON(packed) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
      long verify = SSL_get_verify_result(ssl_.get());
      ERR_clear_error();
      return {kTLSVerifyFailed | static_cast<int>(verify), tls_category()};
    }
    return take_ssl_error();
  }
  ERR_clear_error();
  if (ssl_error == SSL_ERROR_SYSCALL && saved_errno != 0) {
    return {kTLSHandshakeReset, tls_category()};
  }
  return {kTLSHandshakeEOF, tls_category()};
}

// ---- Transport hooks
// ------------------------------------------------------------

void SSLIOStream::handle_io(uint32_t events) {
  if (connecting()) {
    IOStream::handle_io(events);  // Completes the connect: on_connected().
    return;
  }
  if (!handshake_done_) {
    if (!handshake_started_) return;
    do_handshake();
    if (closed() || !handshake_done_) return;
    // Records that came with the last handshake flight may already hold
    // application data, and writes queued meanwhile can go now.
    events |= IOLoop::READ | IOLoop::WRITE;
  }
  if (read_wants_write_ && (events & IOLoop::WRITE)) events |= IOLoop::READ;
  if (write_wants_read_ && (events & IOLoop::READ)) events |= IOLoop::WRITE;
  IOStream::handle_io(events);
}

uint32_t SSLIOStream::wanted_events() const {
  if (connecting()) return IOLoop::WRITE;
  if (!handshake_done_) return handshake_started_ ? handshake_wants_ : 0;
  uint32_t events = IOStream::wanted_events();
  // A write that waits for READ must not watch WRITE (it would spin); a
  // read that waits for WRITE must.
  if (write_wants_read_) events &= ~IOLoop::WRITE;
  if (read_wants_write_) events |= IOLoop::WRITE;
  return events;
}

bool SSLIOStream::transport_ready() const {
  return !connecting() && handshake_done_;
}

bool SSLIOStream::transport_has_buffered_data() const {
  return handshake_done_ && !closed() && SSL_pending(ssl_.get()) > 0;
}

std::error_code SSLIOStream::transport_error(int error) {
  if (tls_error_) {
    std::error_code code = tls_error_;
    tls_error_ = {};
    return code;
  }
  return IOStream::transport_error(error);
}

// A failed SSL_read/SSL_write as the base expects it: -1 and errno (EAGAIN
// to wait, EPROTO with tls_error_ set for a TLS failure), or 0 for EOF.
int SSLIOStream::failed(int ssl_error, int saved_errno, bool reading) {
  switch (ssl_error) {
    case SSL_ERROR_WANT_READ:
      if (!reading) write_wants_read_ = true;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      if (reading) read_wants_write_ = true;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:  // close_notify.
      if (reading) return 0;
      errno = EPIPE;
      return -1;
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      if (saved_errno == 0) {  // EOF without close_notify.
        if (reading) return 0;
        saved_errno = EPIPE;
      }
      errno = saved_errno;
      return -1;
    default:
      tls_error_ = take_ssl_error();
      errno = EPROTO;
      return -1;
  }
}

ssize_t SSLIOStream::read_from_fd(char* buffer, size_t size) {
  ERR_clear_error();
  errno = 0;
  int count = SSL_read(ssl_.get(), buffer,
                       static_cast<int>(std::min<size_t>(size, INT_MAX)));
  if (count > 0) {
    read_wants_write_ = false;
    return count;
  }
  int saved_errno = errno;
  read_wants_write_ = false;
  return failed(SSL_get_error(ssl_.get(), count), saved_errno, true);
}

ssize_t SSLIOStream::write_to_fd(const iovec* iov, int iovcnt) {
  // SSL_write takes one buffer. A retry after WANT_WRITE must pass the same
  // leading bytes again; rebuilding from the unchanged queue front does
  // (ACCEPT_MOVING_WRITE_BUFFER lets the pointer differ).
  const char* data = static_cast<const char*>(iov[0].iov_base);
  size_t length = iov[0].iov_len;
  if (iovcnt > 1 && length < kCoalesceLimit) {
    thread_local std::string scratch;
    scratch.clear();
    for (int i = 0; i < iovcnt && scratch.size() < kCoalesceLimit; ++i) {
      size_t take = std::min(iov[i].iov_len, kCoalesceLimit - scratch.size());
      scratch.append(static_cast<const char*>(iov[i].iov_base), take);
    }
    data = scratch.data();
    length = scratch.size();
  }
  ERR_clear_error();
  errno = 0;
  int count = SSL_write(ssl_.get(), data,
                        static_cast<int>(std::min<size_t>(length, 1 << 30)));
  if (count > 0) {
    write_wants_read_ = false;
    return count;
  }
  int saved_errno = errno;
  write_wants_read_ = false;
  return failed(SSL_get_error(ssl_.get(), count), saved_errno, false);
}

// One non-blocking SSL_shutdown: it writes the close_notify alert and does
// not wait for the peer's (a server closing may not wait).
void SSLIOStream::end_transport() {
  if (!handshake_done_ || close_notify_sent_ || tls_error_) return;
  close_notify_sent_ = true;
  ERR_clear_error();
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

void SSLIOStream::clear_callbacks() {
  auto callback = std::move(handshake_callback_);
  handshake_callback_ = nullptr;
  IOStream::clear_callbacks();
}

}  // namespace eddy
