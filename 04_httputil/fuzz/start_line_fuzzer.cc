// libFuzzer target; the work is in fuzz_entries.cc (start_line_entry).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "04_httputil/fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  eddy::fuzz::start_line_entry(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
