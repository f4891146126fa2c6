// A throwaway PKI for tests: an EC P-256 CA, a server certificate it signs
// (subjectAltName from `hostnames`, usable for serverAuth and clientAuth so
// tests can also present it as a client certificate), and an unrelated key.
#include "02_netutil/test_certificates.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>

namespace eddy::testing {

namespace {

[[noreturn]] void fail(const std::string& what) {
  char buffer[256] = "unknown error";
  if (uint32_t code = ERR_get_error()) {
    ERR_error_string_n(code, buffer, sizeof(buffer));
  }
  ERR_clear_error();
  throw std::runtime_error("write_test_certificates: " + what + ": " + buffer);
}

bssl::UniquePtr<EVP_PKEY> new_key() {
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
  if (!ec || !EC_KEY_generate_key(ec.get())) fail("EC_KEY_generate_key");
  bssl::UniquePtr<EVP_PKEY> key(EVP_PKEY_new());
  if (!key || !EVP_PKEY_assign_EC_KEY(key.get(), ec.release())) {
    fail("EVP_PKEY_assign_EC_KEY");
  }
  return key;
}

void set_name(X509_NAME* name, const std::string& common_name) {
  if (!X509_NAME_add_entry_by_txt(
          name, "O", MBSTRING_UTF8,
          reinterpret_cast<const uint8_t*>("eddy tests"), -1, -1, 0) ||
      !X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const uint8_t*>(common_name.c_str()), -1, -1, 0)) {
    fail("X509_NAME_add_entry_by_txt");
  }
}

// Adds an extension given in OpenSSL's config syntax ("critical,CA:TRUE").
void add_extension(X509* certificate, X509* issuer, int nid,
                   const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  bssl::UniquePtr<X509_EXTENSION> extension(
      X509V3_EXT_nconf_nid(nullptr, &context, nid, value));
  if (!extension || !X509_add_ext(certificate, extension.get(), -1)) {
    fail(std::string("extension ") + value);
  }
}

// subjectAltName: IP literals as iPAddress entries, the rest as dNSName.
void add_subject_alt_names(X509* certificate,
                           const std::vector<std::string>& hostnames) {
  bssl::UniquePtr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
  for (const std::string& host : hostnames) {
    bssl::UniquePtr<GENERAL_NAME> name(GENERAL_NAME_new());
    uint8_t ip[16];
    int ip_length = 0;
    if (inet_pton(AF_INET, host.c_str(), ip) == 1) {
      ip_length = 4;
    } else if (inet_pton(AF_INET6, host.c_str(), ip) == 1) {
      ip_length = 16;
    }
    if (ip_length > 0) {
      ASN1_OCTET_STRING* octets = ASN1_OCTET_STRING_new();
      if (!octets || !ASN1_OCTET_STRING_set(octets, ip, ip_length)) {
        ASN1_OCTET_STRING_free(octets);
        fail("subjectAltName IP " + host);
      }
      GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets);
    } else {
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (!dns || !ASN1_STRING_set(dns, host.data(), host.size())) {
        ASN1_IA5STRING_free(dns);
        fail("subjectAltName DNS " + host);
      }
      GENERAL_NAME_set0_value(name.get(), GEN_DNS, dns);
    }
    if (!bssl::PushToStack(names.get(), std::move(name))) fail("sk_push");
  }
  if (!X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0,
                         X509V3_ADD_DEFAULT)) {
    fail("subjectAltName");
  }
}

// A v3 certificate for `key`, valid from an hour ago for ten years, signed by
// later by the issuer's key (issuer == nullptr: self-signed).
bssl::UniquePtr<X509> new_certificate(EVP_PKEY* key,
                                      const std::string& common_name,
                                      X509* issuer) {
  bssl::UniquePtr<X509> certificate(X509_new());
  if (!certificate || !X509_set_version(certificate.get(), X509_VERSION_3)) {
    fail("X509_new");
  }
  uint64_t serial = 0;
  RAND_bytes(reinterpret_cast<uint8_t*>(&serial), sizeof(serial));
  serial >>= 1;  // Positive and non-zero, as RFC 5280 asks.
  serial |= 1;
  if (!ASN1_INTEGER_set_uint64(X509_get_serialNumber(certificate.get()),
                               serial)) {
    fail("serial number");
  }
  constexpr long kHour = 3600;
  constexpr long kTenYears = 10L * 365 * 24 * kHour;
  if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kHour) ||
      !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), kTenYears)) {
    fail("validity");
  }
  set_name(X509_get_subject_name(certificate.get()), common_name);
  X509* signer = issuer != nullptr ? issuer : certificate.get();
  if (!X509_set_issuer_name(certificate.get(), X509_get_subject_name(signer)) ||
      !X509_set_pubkey(certificate.get(), key)) {
    fail("issuer/public key");
  }
  add_extension(certificate.get(), signer, NID_subject_key_identifier, "hash");
  return certificate;
}

void sign(X509* certificate, EVP_PKEY* key) {
  if (!X509_sign(certificate, key, EVP_sha256())) fail("X509_sign");
}

void write_pem(const std::string& path, X509* certificate, EVP_PKEY* key) {
  bssl::UniquePtr<BIO> bio(BIO_new_file(path.c_str(), "w"));
  if (!bio) fail("open " + path);
  if (certificate != nullptr && !PEM_write_bio_X509(bio.get(), certificate)) {
    fail("write " + path);
  }
  if (key != nullptr &&
      !PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                nullptr)) {
    fail("write " + path);
  }
}

}  // namespace

TestCertificates write_test_certificates(
    const std::string& directory, const std::vector<std::string>& hostnames) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw std::runtime_error("write_test_certificates: mkdir " + directory +
                             ": " + error.message());
  }
  bssl::UniquePtr<EVP_PKEY> ca_key = new_key();
  bssl::UniquePtr<X509> ca =
      new_certificate(ca_key.get(), "eddy test CA", nullptr);
  add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(ca.get(), ca.get(), NID_key_usage,
                "critical,keyCertSign,cRLSign");
  sign(ca.get(), ca_key.get());

  bssl::UniquePtr<EVP_PKEY> key = new_key();
  std::string common_name = hostnames.empty() ? "localhost" : hostnames[0];
  bssl::UniquePtr<X509> server =
      new_certificate(key.get(), common_name, ca.get());
  add_extension(server.get(), ca.get(), NID_basic_constraints,
                "critical,CA:FALSE");
  add_extension(server.get(), ca.get(), NID_key_usage,
                "critical,digitalSignature,keyEncipherment");
  add_extension(server.get(), ca.get(), NID_ext_key_usage,
                "serverAuth,clientAuth");
  add_extension(server.get(), ca.get(), NID_authority_key_identifier,
                "keyid:always");
  if (!hostnames.empty()) add_subject_alt_names(server.get(), hostnames);
  sign(server.get(), ca_key.get());

  bssl::UniquePtr<EVP_PKEY> other_key = new_key();

  std::filesystem::path dir(directory);
  TestCertificates files{
      .ca_certfile = (dir / "ca.pem").string(),
      .certfile = (dir / "server.pem").string(),
      .keyfile = (dir / "server.key").string(),
      .other_keyfile = (dir / "other.key").string(),
  };
  write_pem(files.ca_certfile, ca.get(), nullptr);
  write_pem(files.certfile, server.get(), nullptr);
  write_pem(files.keyfile, nullptr, key.get());
  write_pem(files.other_keyfile, nullptr, other_key.get());
  return files;
}

}  // namespace eddy::testing
