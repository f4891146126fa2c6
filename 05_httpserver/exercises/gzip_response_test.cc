// Grading tests of exercise 05.3 (gzip_response.h): real requests; gzip
// bodies are gunzipped with zlib and compared with what the handler wrote.
#include "05_httpserver/exercises/gzip_response.h"

#include <zlib.h>

#include <memory>
#include <string>
#include <vector>

#include "05_httpserver/exercises/test_server.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

using testing::TestServer;

// Gunzips a complete gzip stream; returns "<bad gzip>" when it is not one.
std::string gunzip(const std::string& data) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return "<bad gzip>";
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  } while (rc == Z_OK);
  bool complete = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  return complete ? out : "<bad gzip>";
}

// Text that compresses well, `n` bytes.
std::string text(size_t n) {
  std::string s;
  while (s.size() < n) s += "All work and no play makes Jack a dull boy. ";
  s.resize(n);
  return s;
}

struct Handler {
  int code = 200;
  std::string content_type = "text/html; charset=UTF-8";
  std::vector<std::string> chunks = {text(5000)};
  HTTPHeaders extra;
};

TestServer make_server(Handler h) {
  return TestServer([h](HTTPServerRequest& request) {
    GzipResponse response(request.shared_from_this());
    HTTPHeaders headers = h.extra;
    if (!h.content_type.empty()) headers.set("Content-Type", h.content_type);
    response.start(ResponseStartLine{"HTTP/1.1", h.code, "Whatever"}, headers);
    for (const std::string& chunk : h.chunks) response.write(chunk);
    response.finish();
  });
}

std::string joined(const Handler& h) {
  std::string all;
  for (const auto& c : h.chunks) all += c;
  return all;
}

const char* kGzip = "Accept-Encoding: gzip, deflate\r\n";

TEST(GzipResponseTest, CompressesTextWhenAccepted) {
  Handler h;
  auto s = make_server(h);
  auto r = s.get("/", kGzip);
  ASSERT_EQ(r.code, 200);
  EXPECT_EQ(r.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(r.headers.get("Vary"), "Accept-Encoding");
  EXPECT_LT(r.body.size(), joined(h).size() / 4) << "not compressed";
  EXPECT_EQ(gunzip(r.body), joined(h));
}

TEST(GzipResponseTest, ManyChunksGunzipToTheirConcatenation) {
  Handler h;
  h.chunks.clear();
  for (int i = 0; i < 50; ++i) h.chunks.push_back(text(100 + i * 37));
  h.chunks.push_back("");
  h.chunks.push_back("tail");
  auto s = make_server(h);
  auto r = s.get("/", kGzip);
  EXPECT_EQ(r.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(gunzip(r.body), joined(h));
}

TEST(GzipResponseTest, NotAcceptedMeansIdentityButStillVary) {
  Handler h;
  auto s = make_server(h);
  for (std::string accept :
       {"", "Accept-Encoding: deflate, br\r\n", "Accept-Encoding: *\r\n",
        "Accept-Encoding: gzip;q=0\r\n",
        "Accept-Encoding: gzip; q=0.000, br\r\n",
        "Accept-Encoding: x-gzip-ish\r\n"}) {
    auto r = s.get("/", accept);
    EXPECT_EQ(r.code, 200) << accept;
    EXPECT_EQ(r.headers.get("Content-Encoding"), "") << accept;
    EXPECT_EQ(r.headers.get("Vary"), "Accept-Encoding") << accept;
    EXPECT_EQ(r.body, joined(h)) << accept;
  }
}

TEST(GzipResponseTest, AcceptEncodingParsing) {
  Handler h;
  auto s = make_server(h);
  for (std::string accept :
       {"Accept-Encoding: GZIP\r\n",
        "Accept-Encoding: br;q=1.0, gzip;q=0.5\r\n",
        "Accept-Encoding: deflate,gzip\r\n",
        "Accept-Encoding: gzip ; q=0.001\r\n",
        "Accept-Encoding: br\r\nAccept-Encoding: gzip\r\n"}) {
    auto r = s.get("/", accept);
    EXPECT_EQ(r.headers.get("Content-Encoding"), "gzip") << accept;
    EXPECT_EQ(gunzip(r.body), joined(h)) << accept;
  }
}

TEST(GzipResponseTest, ShortBodiesAreSentAsTheyAre) {
  Handler h;
  h.chunks = {text(600), text(400)};  // 1000 < kMinLength
  auto s = make_server(h);
  auto r = s.get("/", kGzip);
  EXPECT_EQ(r.headers.get("Content-Encoding"), "");
  EXPECT_EQ(r.body, joined(h));
  EXPECT_EQ(r.headers.get("Vary"), "Accept-Encoding");
}

TEST(GzipResponseTest, ExactlyMinLengthIsCompressed) {
  Handler h;
  h.chunks = {text(1000), text(24)};
  auto s = make_server(h);
  auto r = s.get("/", kGzip);
  EXPECT_EQ(r.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(gunzip(r.body), joined(h));
}

TEST(GzipResponseTest, OnlyCompressibleTypes) {
  struct TypeCase {
    const char* type;
    bool gzip;
  };
  for (TypeCase t : {TypeCase{"text/plain", true},
                     {"text/css; charset=utf-8", true},
                     {"application/json", true},
                     {"application/javascript", true},
                     {"application/xml", true},
                     {"image/svg+xml", true},
                     {"application/vnd.api+json", true},
                     {"application/atom+xml", true},
                     {"image/png", false},
                     {"application/octet-stream", false},
                     {"application/zip", false},
                     {"", false}}) {
    Handler h;
    h.content_type = t.type;
    auto s = make_server(h);
    auto r = s.get("/", kGzip);
    EXPECT_EQ(r.headers.get("Content-Encoding"), t.gzip ? "gzip" : "")
        << "'" << t.type << "'";
    EXPECT_EQ(t.gzip ? gunzip(r.body) : r.body, joined(h)) << t.type;
  }
}

TEST(GzipResponseTest, OnlyStatus200) {
  Handler h;
  h.code = 404;
  auto s = make_server(h);
  auto r = s.get("/", kGzip);
  EXPECT_EQ(r.code, 404);
  EXPECT_EQ(r.headers.get("Content-Encoding"), "");
  EXPECT_EQ(r.body, joined(h));
}

TEST(GzipResponseTest, KeepsAnExistingContentEncodingAndVary) {
  Handler h;
  h.extra.set("Content-Encoding", "br");
  h.extra.set("Vary", "Cookie");
  auto s = make_server(h);
  auto r = s.get("/", kGzip);
  EXPECT_EQ(r.headers.get("Content-Encoding"), "br");
  EXPECT_EQ(r.headers.get("Vary"), "Cookie, Accept-Encoding");
  EXPECT_EQ(r.body, joined(h));
}

TEST(GzipResponseTest, DropsTheHandlersContentLengthWhenGzipping) {
  Handler h;
  h.extra.set("Content-Length", std::to_string(joined(h).size()));
  auto s = make_server(h);
  auto r = s.get("/", kGzip);
  ASSERT_EQ(r.headers.get("Content-Encoding"), "gzip");
  EXPECT_NE(r.headers.get("Content-Length"), std::to_string(joined(h).size()));
  EXPECT_EQ(gunzip(r.body), joined(h));
}

TEST(GzipResponseTest, WriteAfterFinishThrows) {
  std::string error;
  TestServer s([&](HTTPServerRequest& request) {
    GzipResponse response(request.shared_from_this());
    response.start(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                   HTTPHeaders{{"Content-Type", "text/plain"}});
    response.write("x");
    response.finish();
    try {
      response.write("y");
    } catch (const std::logic_error& e) {
      error = "logic_error";
    }
  });
  auto r = s.get("/", kGzip);
  EXPECT_EQ(r.body, "x");
  EXPECT_EQ(error, "logic_error");
}

}  // namespace
}  // namespace eddy::exercises
