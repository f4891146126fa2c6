// SSLIOStream: an IOStream over TLS (BoringSSL), Tornado's
// tornado.iostream.SSLIOStream.
//
// The handshake runs non-blockingly as soon as the stream is created: each
// SSL_do_handshake that wants to read waits for READ, one that wants to
// write waits for WRITE. Reads and writes requested before the handshake
// completes are queued and served after it. A failed handshake (plaintext
// or garbage from the peer, a bad certificate, a peer that leaves) closes
// the stream with an error (category "tls") and nothing else. Afterwards
// the stream behaves exactly like IOStream; SSL_read/SSL_write that want the
// other direction (WANT_WRITE during a read, WANT_READ during a write) are
// handled.
//
// Closing. A clean close() (no error, nothing left unsent) and
// shutdown_write() send TLS's close_notify first (one non-blocking
// SSL_shutdown), so that a client can tell the end of a close-delimited
// body from a truncation (RFC 8446 6.1). A close that drops output, or
// follows a socket or TLS error, sends none. If the socket cannot take the
// alert at that moment (its send buffer is full), it is not sent and the
// peer sees a bare FIN.
//
// Threads, errors and ownership: as IOStream.
#ifndef EDDY_03_IOSTREAM_SSL_IOSTREAM_H_
#define EDDY_03_IOSTREAM_SSL_IOSTREAM_H_

#include <openssl/ssl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "03_iostream/iostream.h"

namespace eddy {

class SSLIOStream : public IOStream {
 public:
  // Server side of an accepted socket. `context` must stay valid until this
  // call returns (the SSL object keeps its own reference).
  static std::shared_ptr<SSLIOStream> create_server(
      Socket socket, SSL_CTX* context, IOLoop& io_loop = IOLoop::current(),
      size_t max_buffer_size = kDefaultMaxBufferSize,
      size_t read_chunk_size = kDefaultReadChunkSize);
  // Client side; verifies that the server's certificate matches
  // `server_hostname` (a DNS name or an IP literal) when the context verifies
  // peers. Call connect() on it (or pass an already connected socket).
  static std::shared_ptr<SSLIOStream> create_client(
      Socket socket, SSL_CTX* context, const std::string& server_hostname,
      IOLoop& io_loop = IOLoop::current(),
      size_t max_buffer_size = kDefaultMaxBufferSize,
      size_t read_chunk_size = kDefaultReadChunkSize);

  // Runs `callback` once the handshake has completed (at once if it has)
  // (wait_for_handshake). Never runs if the handshake fails.
  void wait_for_handshake(std::function<void()> callback);
  bool handshake_done() const;
  // The ALPN protocol both sides agreed on, or "".
  std::string alpn_protocol() const;
  // (Addition.) The BoringSSL connection, for inspection (peer certificate,
  // cipher); owned by the stream.
  SSL* ssl() const { return ssl_.get(); }

 protected:
  SSLIOStream(Socket socket, bssl::UniquePtr<SSL> ssl, bool server,
              IOLoop& io_loop, size_t max_buffer_size, size_t read_chunk_size);

  ssize_t read_from_fd(char* buffer, size_t size) override;
  ssize_t write_to_fd(const iovec* iov, int iovcnt) override;
  void handle_io(uint32_t events) override;
  uint32_t wanted_events() const override;
  bool transport_ready() const override;
  bool transport_has_buffered_data() const override;
  std::error_code transport_error(int error) override;
  void on_connected() override;
  void end_transport() override;
  void clear_callbacks() override;

 private:
  void do_handshake();
  std::error_code handshake_error(int ssl_error, int saved_errno);
  int failed(int ssl_error, int saved_errno, bool reading);

  bssl::UniquePtr<SSL> ssl_;
  bool server_;
  bool handshake_started_ = false;
  bool handshake_done_ = false;
  uint32_t handshake_wants_ = 0;   // READ or WRITE while handshaking.
  bool read_wants_write_ = false;  // SSL_read returned WANT_WRITE.
  bool write_wants_read_ = false;  // SSL_write returned WANT_READ.
  bool close_notify_sent_ = false;
  std::error_code tls_error_;      // Set with errno EPROTO for the base.
  std::function<void()> handshake_callback_;
};

// The error category of TLS failures in IOStream::error(). Values: a packed
// BoringSSL error (ERR_get_error; message from ERR_reason_error_string), a
// certificate verification failure (kTLSVerifyFailed | X509_V_ERR_*, message
// from X509_verify_cert_error_string, e.g. "hostname mismatch"), or one of
// the codes below.
const std::error_category& tls_category();
constexpr int kTLSVerifyFailed = 1 << 30;
constexpr int kTLSHandshakeEOF = 1;    // The peer left during the handshake.
constexpr int kTLSHandshakeReset = 2;  // A socket error during the handshake.

}  // namespace eddy

#endif  // EDDY_03_IOSTREAM_SSL_IOSTREAM_H_
