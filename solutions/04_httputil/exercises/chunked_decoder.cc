// Reference solution of exercise 04.3
// (04_httputil/exercises/chunked_decoder.h).
//
// A byte-driven state machine. Lines (size lines, the CRLF after data,
// trailer lines) are assembled in `line` one byte at a time, so CR/LF rules
// and the length limit hold however the input is split; chunk data is
// copied in one append per feed.
//
//   kSizeLine --size>0--> kData --size bytes--> kDataCrlf --CRLF--> kSizeLine
//       \--size=0--> kTrailer --empty line--> kDone
#include "04_httputil/exercises/chunked_decoder.h"

#include <algorithm>
#include <limits>

namespace eddy::exercises {

namespace {

enum class Phase { kSizeLine, kData, kDataCrlf, kTrailer, kDone, kFailed };

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

[[noreturn]] void fail(const std::string& what) {
  throw HTTPInputError("chunked body: " + what);
}

}  // namespace

struct ChunkedDecoder::State {
  uint64_t max_body_size;
  size_t max_line;
  Phase phase = Phase::kSizeLine;
  std::string line;         // The line being assembled (CR included).
  uint64_t remaining = 0;   // Bytes left in the current chunk.
  uint64_t body_total = 0;  // Decoded bytes so far.

  void size_line() {
    uint64_t size = 0;
    size_t i = 0;
    for (; i < line.size() && hex_value(line[i]) >= 0; ++i) {
      if (size > (std::numeric_limits<uint64_t>::max() >> 4))
        fail("chunk size overflows: " + quote_for_error(line));
      size = (size << 4) | static_cast<uint64_t>(hex_value(line[i]));
    }
    if (i == 0) fail("bad chunk size line " + quote_for_error(line));
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i < line.size() && line[i] != ';')
      fail("bad chunk size line " + quote_for_error(line));
    if (size == 0) {
      phase = Phase::kTrailer;
      return;
    }
    if (size > max_body_size - body_total) fail("body too large");
    body_total += size;
    remaining = size;
    phase = Phase::kData;
  }

  void trailer_line() {
    if (line.empty()) {
      phase = Phase::kDone;
    } else if (line.find(':') == std::string::npos) {
      fail("bad trailer line " + quote_for_error(line));
    }
  }

  // One byte of a line. Returns after handling a complete line.
  void line_byte(char c) {
    if (phase == Phase::kDataCrlf) {
      // Exactly CRLF: fail at the first wrong byte.
      if (line.empty() ? c != '\r' : c != '\n') fail("no CRLF after data");
      if (line.empty()) {
        line.push_back(c);
      } else {
        line.clear();
        phase = Phase::kSizeLine;
      }
      return;
    }
    if (c == '\n') {
      if (line.empty() || line.back() != '\r') fail("bare LF");
      line.pop_back();
      if (phase == Phase::kSizeLine) {
        size_line();
      } else {
        trailer_line();
      }
      line.clear();
      return;
    }
    if (!line.empty() && line.back() == '\r') fail("bare CR");
    line.push_back(c);
    size_t length = line.size() - (c == '\r' ? 1 : 0);
    if (length > max_line) fail("line too long");
  }
};

ChunkedDecoder::ChunkedDecoder(uint64_t max_body_size, size_t max_line)
    : state_(std::make_unique<State>()) {
  state_->max_body_size = max_body_size;
  state_->max_line = max_line;
}
ChunkedDecoder::~ChunkedDecoder() = default;

size_t ChunkedDecoder::feed(std::string_view input, std::string& body) {
  State& s = *state_;
  if (s.phase == Phase::kFailed) fail("decoder already failed");
  size_t i = 0;
  try {
    while (i < input.size() && s.phase != Phase::kDone) {
      if (s.phase == Phase::kData) {
        size_t n = static_cast<size_t>(
            std::min<uint64_t>(s.remaining, input.size() - i));
        body.append(input.substr(i, n));
        i += n;
        s.remaining -= n;
        if (s.remaining == 0) s.phase = Phase::kDataCrlf;
      } else {
        s.line_byte(input[i++]);
      }
    }
  } catch (...) {
    s.phase = Phase::kFailed;
    throw;
  }
  return i;
}

bool ChunkedDecoder::done() const { return state_->phase == Phase::kDone; }

}  // namespace eddy::exercises
