// TLS contexts from options: Tornado's netutil.ssl_options_to_context, with
// BoringSSL (Debian's android-libboringssl-dev).
//
// Errors: every function throws std::invalid_argument for bad options and
// std::system_error/std::runtime_error for unreadable or malformed files,
// with a message naming the file and BoringSSL's reason.
// Threads: an SSL_CTX may be shared by every connection of a process once
// built; build it on one thread.
#ifndef EDDY_02_NETUTIL_SSL_CONTEXT_H_
#define EDDY_02_NETUTIL_SSL_CONTEXT_H_

#include <openssl/ssl.h>

#include <string>
#include <vector>

namespace eddy {

// Whether a server asks for client certificates (Python's ssl.CERT_*).
enum class CertReqs { kNone, kOptional, kRequired };

struct SSLOptions {
  std::string certfile;  // PEM certificate chain (required for servers).
  std::string keyfile;   // PEM private key; defaults to certfile when empty.
  std::string ca_certs;  // PEM CA bundle to verify peers with (optional).
  CertReqs cert_reqs = CertReqs::kNone;
  // ALPN protocols in server preference order, e.g. {"h2", "http/1.1"}.
  std::vector<std::string> alpn_protocols;
};

// An owned SSL_CTX (BoringSSL's RAII pointer). SSL objects made from it keep
// their own reference, so it may be released while connections live.
using SSLContext = bssl::UniquePtr<SSL_CTX>;

// A server context: TLS 1.2 minimum, the certificate/key pair checked to
// match, optional client verification against ca_certs, ALPN when given.
// Errors: no certfile, cert_reqs other than kNone without ca_certs, or an
// ALPN name that is empty or over 255 bytes: std::invalid_argument. An
// unreadable file: std::system_error ("certfile /x.pem: No such file or
// directory"). A file without PEM data, a corrupt PEM block or a key that
// does not match the certificate: std::runtime_error naming the file(s).
// ALPN picks the first of the server's protocols the client offers; with
// none in common the handshake proceeds without ALPN.
SSLContext ssl_options_to_context(const SSLOptions& options);

// A client context for tests and tools: TLS 1.2 minimum; verifies the server
// against `ca_certs` (or the system store when empty) unless `verify` is
// false. Hostname checking is per connection (SSL_set1_host), in 03_iostream.
SSLContext ssl_client_context(const std::string& ca_certs = "",
                              bool verify = true);

}  // namespace eddy

#endif  // EDDY_02_NETUTIL_SSL_CONTEXT_H_
