#include "04_httputil/start_line.h"

namespace eddy {

std::string to_string(const RequestStartLine& start_line) {
  return start_line.method + " " + start_line.path + " " + start_line.version;
}

std::string to_string(const ResponseStartLine& start_line) {
  return start_line.version + " " + std::to_string(start_line.code) + " " +
         start_line.reason;
}

}  // namespace eddy
