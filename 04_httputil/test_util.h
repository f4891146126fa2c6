// Internal to 04_httputil's tests: helpers for feeding parsers their input
// in an allocation of exactly the right size, so that AddressSanitizer
// (--config=asan) reports any read past the end of a std::string_view.
#ifndef EDDY_04_HTTPUTIL_TEST_UTIL_H_
#define EDDY_04_HTTPUTIL_TEST_UTIL_H_

#include <cstring>
#include <memory>
#include <string_view>

namespace eddy::testing {

// Owns a heap copy of some bytes with no terminator and no slack.
class ExactBuffer {
 public:
  explicit ExactBuffer(std::string_view bytes)
      : size_(bytes.size()),
        data_(new char[bytes.size() == 0 ? 1 : bytes.size()]) {
    if (size_) std::memcpy(data_.get(), bytes.data(), size_);
  }
  std::string_view view() const { return std::string_view(data_.get(), size_); }

 private:
  std::size_t size_;
  std::unique_ptr<char[]> data_;
};

}  // namespace eddy::testing

#endif  // EDDY_04_HTTPUTIL_TEST_UTIL_H_
