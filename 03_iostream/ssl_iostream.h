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
// Threads, errors and ownership: as IOStream.
#ifndef EDDY_03_IOSTREAM_SSL_IOSTREAM_H_
#define EDDY_03_IOSTREAM_SSL_IOSTREAM_H_

#include <openssl/ssl.h>

#include <functional>
#include <memory>
#include <string>

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
};

// The error category of TLS failures in IOStream::error().
const std::error_category& tls_category();

}  // namespace eddy

#endif  // EDDY_03_IOSTREAM_SSL_IOSTREAM_H_
