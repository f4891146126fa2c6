// Test tool (testonly): writes a throwaway CA and a localhost server
// certificate into the directory given as argv[1], for the integration test
// that drives echo_server over HTTPS with curl.
#include <cstdio>
#include <exception>

#include "02_netutil/test_certificates.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
    return 2;
  }
  try {
    auto files = eddy::testing::write_test_certificates(argv[1]);
    std::printf("%s\n%s\n%s\n", files.ca_certfile.c_str(),
                files.certfile.c_str(), files.keyfile.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_test_certificates: %s\n", e.what());
    return 1;
  }
  return 0;
}
