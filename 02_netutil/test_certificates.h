// Test support (testonly): a throwaway CA and a server certificate generated
// in code with BoringSSL, written as PEM files into a directory, so tests
// never depend on committed keys or on the clock of the day they were made.
#ifndef EDDY_02_NETUTIL_TEST_CERTIFICATES_H_
#define EDDY_02_NETUTIL_TEST_CERTIFICATES_H_

#include <string>
#include <vector>

namespace eddy::testing {

struct TestCertificates {
  std::string ca_certfile;    // Self-signed CA certificate (PEM).
  std::string certfile;       // Server certificate signed by the CA (PEM).
  std::string keyfile;        // The server's private key (PEM).
  std::string other_keyfile;  // A key that does not match certfile (PEM).
};

// Writes the files into `directory` (created if missing). The server
// certificate is valid from an hour ago for ten years for every name in
// `hostnames` (DNS names or IP literals, e.g. {"localhost", "127.0.0.1",
// "::1"}). Throws std::runtime_error on failure.
TestCertificates write_test_certificates(
    const std::string& directory, const std::vector<std::string>& hostnames = {
                                      "localhost", "127.0.0.1", "::1"});

}  // namespace eddy::testing

#endif  // EDDY_02_NETUTIL_TEST_CERTIFICATES_H_
