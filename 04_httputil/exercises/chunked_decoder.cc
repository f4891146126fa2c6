// Exercise 04.3: an incremental chunked-body decoder. Replace every TODO; the
// statement is in README.md, the contract in chunked_decoder.h, the grading
// tests in chunked_decoder_test.cc:
//   tools/bazel test //04_httputil/exercises:chunked_decoder_test
#include "04_httputil/exercises/chunked_decoder.h"

namespace eddy::exercises {

// TODO: your state machine. Suggested states: kSizeLine, kData, kDataCrlf,
// kTrailer, kDone, kFailed; a std::string for the line being assembled
// (bounded by max_line) and the bytes left in the current chunk.
struct ChunkedDecoder::State {
  uint64_t max_body_size;
  size_t max_line;
};

ChunkedDecoder::ChunkedDecoder(uint64_t max_body_size, size_t max_line)
    : state_(std::make_unique<State>(State{max_body_size, max_line})) {}
ChunkedDecoder::~ChunkedDecoder() = default;

size_t ChunkedDecoder::feed(std::string_view input, std::string& body) {
  // TODO
  (void)input;
  (void)body;
  throw HTTPInputError("TODO: ChunkedDecoder::feed");
}

bool ChunkedDecoder::done() const {
  // TODO
  return false;
}

}  // namespace eddy::exercises
