// libFuzzer target: arbitrary bytes, in arbitrary splits, through a real
// HTTP1Connection (the harness and its invariants are in http1_fuzz.h).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hardening/fuzz/http1_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string failure = eddy::fuzz::run_http1_input(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "http1_fuzzer: invariant broken: %s\n",
                 failure.c_str());
    std::abort();
  }
  return 0;
}
