// ssl_options_to_context and ssl_client_context over BoringSSL. Files are read
// by hand (open/read) rather than with BIO_new_file so that an unreadable
// file reports errno as a std::system_error, and a readable file with no PEM
// block in it reports BoringSSL's reason as a std::runtime_error; both name
// the file and its role ("certfile /x/y.pem: ...").
#include "02_netutil/ssl_context.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "02_netutil/file_descriptor.h"

namespace eddy {

namespace {

// Drains BoringSSL's thread-local error queue into one string.
std::string ssl_errors() {
  std::string text;
  while (uint32_t code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown error" : text;
}

// "certfile /x/y.pem" — how every message names a file.
std::string describe(const char* role, const std::string& path) {
  return std::string(role) + " " + path;
}

std::string read_whole_file(const char* role, const std::string& path) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file) {
    throw std::system_error(errno, std::generic_category(),
                            describe(role, path));
  }
  std::string data;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(file.get(), buffer, sizeof(buffer));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(),
                              describe(role, path));
    }
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

bssl::UniquePtr<BIO> memory_bio(const std::string& data) {
  return bssl::UniquePtr<BIO>(BIO_new_mem_buf(data.data(), data.size()));
}

// True when the last error only says "no more PEM blocks": the normal end of
// a file read in a loop.
bool only_end_of_pem() {
  uint32_t code = ERR_peek_last_error();
  if (ERR_GET_LIB(code) == ERR_LIB_PEM &&
      ERR_GET_REASON(code) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
    return true;
  }
  return false;
}

// Every certificate in a PEM file, in order; throws if there is none or a
// block is malformed.
std::vector<bssl::UniquePtr<X509>> read_certificates(const char* role,
                                                     const std::string& path) {
  std::string data = read_whole_file(role, path);
  bssl::UniquePtr<BIO> bio = memory_bio(data);
  std::vector<bssl::UniquePtr<X509>> certificates;
  ERR_clear_error();
  for (;;) {
    bssl::UniquePtr<X509> certificate(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) break;
    certificates.push_back(std::move(certificate));
  }
  if (!only_end_of_pem() && ERR_peek_error() != 0) {
    throw std::runtime_error(describe(role, path) +
                             ": malformed PEM certificate: " + ssl_errors());
  }
  if (certificates.empty()) {
    throw std::runtime_error(describe(role, path) +
                             ": no PEM certificate found");
  }
  return certificates;
}

bssl::UniquePtr<EVP_PKEY> read_private_key(const std::string& path) {
  std::string data = read_whole_file("keyfile", path);
  bssl::UniquePtr<BIO> bio = memory_bio(data);
  ERR_clear_error();
  bssl::UniquePtr<EVP_PKEY> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    if (only_end_of_pem()) {
      throw std::runtime_error(describe("keyfile", path) +
                               ": no PEM private key found");
    }
    throw std::runtime_error(describe("keyfile", path) +
                             ": malformed PEM private key: " + ssl_errors());
  }
  return key;
}

SSLContext new_context() {
  SSLContext context(SSL_CTX_new(TLS_method()));
  if (!context) {
    throw std::runtime_error("SSL_CTX_new: " + ssl_errors());
  }
  // TLS 1.0 and 1.1 are deprecated (RFC 8996).
  if (!SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION)) {
    throw std::runtime_error("SSL_CTX_set_min_proto_version: " + ssl_errors());
  }
  return context;
}

// Loads the CA bundle peers are verified against. For a server, its subjects
// are also the CA names sent in the CertificateRequest.
void load_ca_certs(SSL_CTX* context, const std::string& path, bool server) {
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  for (const auto& certificate : read_certificates("ca_certs", path)) {
    if (!X509_STORE_add_cert(store, certificate.get())) {
      throw std::runtime_error(describe("ca_certs", path) + ": " +
                               ssl_errors());
    }
    if (server && !SSL_CTX_add_client_CA(context, certificate.get())) {
      throw std::runtime_error(describe("ca_certs", path) + ": " +
                               ssl_errors());
    }
  }
}

// ALPN: the server's protocol list lives on the SSL_CTX as ex_data (wire
// format: length-prefixed strings), freed with the context.
void free_alpn(void*, void* pointer, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::string*>(pointer);
}

int alpn_index() {
  static const int index =
      SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_alpn);
  return index;
}

// Picks the first protocol of the server's list that the client offers
// (server preference, as Python's ssl module). No overlap: no ALPN at all,
// and the application protocol defaults to what the server speaks.
int select_alpn(SSL* ssl, const uint8_t** out, uint8_t* out_length,
                const uint8_t* in, unsigned in_length, void*) {
  const auto* server = static_cast<const std::string*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), alpn_index()));
  if (server == nullptr) return SSL_TLSEXT_ERR_NOACK;
  std::string_view ours(*server);
  while (!ours.empty()) {
    size_t length = static_cast<uint8_t>(ours[0]);
    std::string_view protocol = ours.substr(1, length);
    ours.remove_prefix(1 + length);
    for (unsigned i = 0; i < in_length;) {
      unsigned theirs = in[i];
      if (i + 1 + theirs > in_length) break;  // Malformed list from the peer.
      if (theirs == protocol.size() &&
          std::string_view(reinterpret_cast<const char*>(in + i + 1), theirs) ==
              protocol) {
        *out = in + i + 1;
        *out_length = static_cast<uint8_t>(theirs);
        return SSL_TLSEXT_ERR_OK;
      }
      i += 1 + theirs;
    }
  }
  return SSL_TLSEXT_ERR_NOACK;
}

void set_alpn(SSL_CTX* context, const std::vector<std::string>& protocols) {
  auto wire = std::make_unique<std::string>();
  for (const std::string& protocol : protocols) {
    if (protocol.empty() || protocol.size() > 255) {
      throw std::invalid_argument("alpn_protocols: '" + protocol +
                                  "' must be 1 to 255 bytes long");
    }
    wire->push_back(static_cast<char>(protocol.size()));
    *wire += protocol;
  }
  if (alpn_index() < 0 ||
      !SSL_CTX_set_ex_data(context, alpn_index(), wire.get())) {
    throw std::runtime_error("SSL_CTX_set_ex_data: " + ssl_errors());
  }
  wire.release();  // Owned by the context now (free_alpn).
  SSL_CTX_set_alpn_select_cb(context, select_alpn, nullptr);
}

}  // namespace

SSLContext ssl_options_to_context(const SSLOptions& options) {
  if (options.certfile.empty()) {
    throw std::invalid_argument("ssl_options_to_context: certfile is required");
  }
  if (options.cert_reqs != CertReqs::kNone && options.ca_certs.empty()) {
    throw std::invalid_argument(
        "ssl_options_to_context: cert_reqs needs ca_certs to verify clients "
        "against");
  }
  const std::string& keyfile =
      options.keyfile.empty() ? options.certfile : options.keyfile;
  SSLContext context = new_context();

  // The leaf certificate, then the rest of the chain in file order.
  std::vector<bssl::UniquePtr<X509>> chain =
      read_certificates("certfile", options.certfile);
  if (!SSL_CTX_use_certificate(context.get(), chain.front().get())) {
    throw std::runtime_error(describe("certfile", options.certfile) + ": " +
                             ssl_errors());
  }
  for (size_t i = 1; i < chain.size(); ++i) {
    if (!SSL_CTX_add1_chain_cert(context.get(), chain[i].get())) {
      throw std::runtime_error(describe("certfile", options.certfile) + ": " +
                               ssl_errors());
    }
  }
  bssl::UniquePtr<EVP_PKEY> key = read_private_key(keyfile);
  std::string pair = "certfile " + options.certfile + " and keyfile " +
                     keyfile + " do not match: ";
  if (!SSL_CTX_use_PrivateKey(context.get(), key.get())) {
    throw std::runtime_error(pair + ssl_errors());
  }
  if (!SSL_CTX_check_private_key(context.get())) {
    throw std::runtime_error(pair + ssl_errors());
  }

  if (!options.ca_certs.empty()) {
    load_ca_certs(context.get(), options.ca_certs, /*server=*/true);
  }
  switch (options.cert_reqs) {
    case CertReqs::kNone:
      SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
      break;
    case CertReqs::kOptional:
      SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
      break;
    case CertReqs::kRequired:
      SSL_CTX_set_verify(context.get(),
                         SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         nullptr);
      break;
  }
  // Session resumption with client verification needs a session id context.
  static const uint8_t kSessionContext[] = "eddy";
  SSL_CTX_set_session_id_context(context.get(), kSessionContext,
                                 sizeof(kSessionContext) - 1);
  if (!options.alpn_protocols.empty()) {
    set_alpn(context.get(), options.alpn_protocols);
  }
  return context;
}

SSLContext ssl_client_context(const std::string& ca_certs, bool verify) {
  SSLContext context = new_context();
  if (!verify) {
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
    return context;
  }
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  if (!ca_certs.empty()) {
    load_ca_certs(context.get(), ca_certs, /*server=*/false);
  } else if (!SSL_CTX_set_default_verify_paths(context.get())) {
    throw std::runtime_error("SSL_CTX_set_default_verify_paths: " +
                             ssl_errors());
  }
  return context;
}

}  // namespace eddy
