// Reference solution of exercise 05.3
// (05_httpserver/exercises/gzip_response.h).
//
// States: started -> (buffering until kMinLength bytes or finish) -> decided
// (gzip or identity) -> finished. The head is sent at the decision, since
// gzipping changes it.
#include "05_httpserver/exercises/gzip_response.h"

#include <zlib.h>

#include <stdexcept>
#include <string>

namespace eddy::exercises {

namespace {

std::string_view strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_zero_q(std::string_view q) {
  if (q.empty() || q[0] != '0') return false;
  q.remove_prefix(1);
  if (q.empty()) return true;
  if (q[0] != '.' || q.size() > 4) return false;
  for (char c : q.substr(1))
    if (c != '0') return false;
  return true;
}

// True when an Accept-Encoding value lists gzip with a non-zero q.
bool accepts_gzip(std::string_view header) {
  while (true) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    size_t semi = item.find(';');
    if (lower(strip(item.substr(0, semi))) == "gzip") {
      bool refused = false;
      while (semi != std::string_view::npos) {
        item.remove_prefix(semi + 1);
        semi = item.find(';');
        std::string_view param = strip(item.substr(0, semi));
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') &&
            param[1] == '=')
          refused = is_zero_q(strip(param.substr(2)));
      }
      if (!refused) return true;
    }
    if (comma == std::string_view::npos) return false;
    header.remove_prefix(comma + 1);
  }
}

bool compressible(std::string_view content_type) {
  std::string type =
      lower(strip(content_type.substr(0, content_type.find(';'))));
  auto ends_with = [&](std::string_view suffix) {
    return type.size() >= suffix.size() &&
           type.compare(type.size() - suffix.size(), suffix.size(), suffix) ==
               0;
  };
  return type.starts_with("text/") || type == "application/javascript" ||
         type == "application/json" || type == "application/xml" ||
         type == "image/svg+xml" || ends_with("+json") || ends_with("+xml");
}

}  // namespace

struct GzipResponse::State {
  std::shared_ptr<HTTPServerRequest> request;
  ResponseStartLine start_line;
  HTTPHeaders headers;
  bool started = false, decided = false, gzipping = false, finished = false;
  std::string buffer;  // Body bytes written before the decision.
  z_stream z{};
  bool z_ready = false;

  ~State() {
    if (z_ready) deflateEnd(&z);
  }

  // Compresses `data` with `flush` and sends what zlib produced.
  void deflate_and_send(std::string_view data, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char chunk[16384];
    do {
      z.next_out = reinterpret_cast<Bytef*>(chunk);
      z.avail_out = sizeof chunk;
      deflate(&z, flush);
      out.append(chunk, sizeof chunk - z.avail_out);
    } while (z.avail_out == 0);
    if (!out.empty()) request->write(std::move(out));
  }

  void send(std::string_view data) {
    if (gzipping) {
      deflate_and_send(data, Z_SYNC_FLUSH);
    } else if (!data.empty()) {
      request->write(std::string(data));
    }
  }

  void decide(bool long_enough) {
    decided = true;
    gzipping = long_enough && start_line.code == 200 &&
               !headers.contains("Content-Encoding") &&
               compressible(headers.get("Content-Type")) &&
               accepts_gzip(request->headers.get("Accept-Encoding"));
    if (gzipping) {
      headers.set("Content-Encoding", "gzip");
      headers.erase("Content-Length");
      if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                       Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
      z_ready = true;
    }
    request->write_headers(start_line, headers);
    std::string pending = std::move(buffer);
    buffer.clear();
    send(pending);
  }
};

GzipResponse::GzipResponse(std::shared_ptr<HTTPServerRequest> request)
    : state_(std::make_unique<State>()) {
  state_->request = std::move(request);
}

GzipResponse::~GzipResponse() = default;

void GzipResponse::start(const ResponseStartLine& start_line,
                         HTTPHeaders headers) {
  State& s = *state_;
  s.start_line = start_line;
  s.headers = std::move(headers);
  std::string vary = s.headers.get("Vary");
  s.headers.set("Vary",
                vary.empty() ? "Accept-Encoding" : vary + ", Accept-Encoding");
  s.started = true;
}

void GzipResponse::write(std::string_view chunk) {
  State& s = *state_;
  if (!s.started || s.finished)
    throw std::logic_error("GzipResponse::write outside start()..finish()");
  if (s.decided) return s.send(chunk);
  s.buffer.append(chunk);
  if (s.buffer.size() >= kMinLength) s.decide(true);
}

void GzipResponse::finish() {
  State& s = *state_;
  if (!s.started || s.finished)
    throw std::logic_error("GzipResponse::finish outside start()..finish()");
  if (!s.decided) s.decide(s.buffer.size() >= kMinLength);
  if (s.gzipping) s.deflate_and_send({}, Z_FINISH);
  s.finished = true;
  s.request->finish();
}

}  // namespace eddy::exercises
