// HTTP1Connection: gunzipping a request body with decompress_request
// (Tornado's _GzipMessageDelegate). Not part of lab 05: it runs on the body
// the lab's readers (http1connection_body.cc) collected.
#include <zlib.h>

#include "05_httpserver/http1connection.h"

namespace eddy {

// With decompress_request: gunzip a body sent with Content-Encoding: gzip,
// bounded by max_body_size, and move the header aside as Tornado does
// (X-Consumed-Content-Encoding). Answers 400/413 and returns false on failure.
bool HTTP1Connection::decompress_body() {
  HTTPServerRequest& request = *request_;
  auto encoding = request.headers.get_first("Content-Encoding");
  if (!encoding || *encoding != "gzip") return true;
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    send_error(500, "zlib initialisation failed");
    return false;
  }
  std::string output;
  z.next_in = reinterpret_cast<Bytef*>(request.body.data());
  z.avail_in = static_cast<uInt>(request.body.size());
  int status = Z_OK;
  char buffer[64 * 1024];
  while (status == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    status = inflate(&z, Z_NO_FLUSH);
    output.append(buffer, sizeof buffer - z.avail_out);
    if (output.size() > context_->options.max_body_size) {
      inflateEnd(&z);
      send_error(413, "decompressed body over max_body_size");
      return false;
    }
    if (status == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (status != Z_STREAM_END) {
    send_error(400, "malformed gzip request body");
    return false;
  }
  request.body = std::move(output);
  request.headers.erase("Content-Encoding");
  request.headers.add("X-Consumed-Content-Encoding", "gzip");
  request.headers.set("Content-Length", std::to_string(request.body.size()));
  return true;
}

}  // namespace eddy
