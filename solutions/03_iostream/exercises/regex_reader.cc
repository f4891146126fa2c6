// Reference solution of exercise 03.2 (03_iostream/exercises/regex_reader.h).
//
// try_serve() is the whole algorithm: search the buffer; deliver, or close
// for max_bytes, or ask the stream for more with a partial read_bytes whose
// callback appends and tries again. The stream's callbacks hold a
// shared_ptr to the State; the stream drops them when it closes.
#include "03_iostream/exercises/regex_reader.h"

#include <stdexcept>
#include <system_error>
#include <utility>

namespace eddy::exercises {

struct RegexReader::State : std::enable_shared_from_this<State> {
  std::shared_ptr<IOStream> stream;
  std::string buffer;
  bool pending = false;
  std::regex regex;
  std::function<void(std::string)> callback;
  size_t max_bytes = 0;

  // 0 when the buffer holds no match, else the length up to its end.
  size_t match_end() const {
    std::match_results<std::string::const_iterator> m;
    if (!std::regex_search(buffer.cbegin(), buffer.cend(), m, regex)) return 0;
    return static_cast<size_t>(m.position(0) + m.length(0));
  }

  void try_serve() {
    if (!pending) return;
    size_t end = match_end();
    if (end != 0 && (max_bytes == 0 || end <= max_bytes)) {
      std::string message = buffer.substr(0, end);
      buffer.erase(0, end);
      pending = false;
      auto cb = std::move(callback);
      callback = nullptr;
      cb(std::move(message));  // May start the next read.
      return;
    }
    if (max_bytes != 0 && buffer.size() >= max_bytes) {
      pending = false;
      callback = nullptr;
      stream->close(std::make_error_code(std::errc::message_size));
      return;
    }
    if (stream->closed()) {  // No match will ever come.
      pending = false;
      callback = nullptr;
      return;
    }
    if (stream->reading()) return;  // Our partial read is still pending.
    stream->read_bytes(
        kChunk,
        [self = shared_from_this()](std::string_view data) {
          self->buffer.append(data);
          self->try_serve();
        },
        /*partial=*/true);
  }
};

RegexReader::RegexReader(std::shared_ptr<IOStream> stream)
    : state_(std::make_shared<State>()) {
  state_->stream = std::move(stream);
}

RegexReader::~RegexReader() = default;

void RegexReader::read_until_regex(
    std::regex regex, std::function<void(std::string message)> callback,
    size_t max_bytes) {
  State& s = *state_;
  if (s.pending) throw std::logic_error("read_until_regex: a read is pending");
  s.regex = std::move(regex);
  if (s.stream->closed() && s.match_end() == 0)
    throw StreamClosedError("read_until_regex: stream is closed");
  s.pending = true;
  s.callback = std::move(callback);
  s.max_bytes = max_bytes;
  s.stream->io_loop().add_callback(
      [self = state_->shared_from_this()] { self->try_serve(); });
}

size_t RegexReader::buffered() const { return state_->buffer.size(); }

}  // namespace eddy::exercises
