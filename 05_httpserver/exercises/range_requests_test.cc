// Grading tests of exercise 05.2 (range_requests.h): a named table of Range
// headers against a 26-byte resource, over a real connection.
#include "05_httpserver/exercises/range_requests.h"

#include <string>

#include "05_httpserver/exercises/test_server.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

using testing::TestServer;

const std::string kContent = "abcdefghijklmnopqrstuvwxyz";

TestServer make_server(std::string content = kContent) {
  return TestServer([content](HTTPServerRequest& request) {
    serve_content(request, content, "text/plain");
  });
}

struct Case {
  const char* name;
  const char* range;  // The Range header value; "" = no header.
  int code;
  const char* content_range;  // "" = must be absent.
  std::string body;
};

const Case kCases[] = {
    {"no_range", "", 200, "", kContent},
    {"first_byte", "bytes=0-0", 206, "bytes 0-0/26", "a"},
    {"middle", "bytes=2-4", 206, "bytes 2-4/26", "cde"},
    {"end_clamped", "bytes=20-1000", 206, "bytes 20-25/26", "uvwxyz"},
    {"open_ended", "bytes=23-", 206, "bytes 23-25/26", "xyz"},
    {"whole_by_open_end", "bytes=0-", 206, "bytes 0-25/26", kContent},
    {"suffix", "bytes=-3", 206, "bytes 23-25/26", "xyz"},
    {"suffix_longer_than_content", "bytes=-100", 206, "bytes 0-25/26",
     kContent},
    {"last_byte", "bytes=25-25", 206, "bytes 25-25/26", "z"},
    {"start_past_end", "bytes=26-", 416, "bytes */26", ""},
    {"start_past_end_closed", "bytes=30-40", 416, "bytes */26", ""},
    {"suffix_zero", "bytes=-0", 416, "bytes */26", ""},
    {"invalid_reversed", "bytes=5-2", 200, "", kContent},
    {"invalid_unit", "items=0-1", 200, "", kContent},
    {"invalid_no_dash", "bytes=5", 200, "", kContent},
    {"invalid_empty", "bytes=", 200, "", kContent},
    {"invalid_dash_only", "bytes=-", 200, "", kContent},
    {"invalid_letters", "bytes=a-b", 200, "", kContent},
    {"invalid_sign", "bytes=+1-2", 200, "", kContent},
    {"invalid_spaces", "bytes= 1-2", 200, "", kContent},
    {"invalid_overflow", "bytes=0-99999999999999999999999", 200, "", kContent},
    {"multiple_ranges_ignored", "bytes=0-1,5-6", 200, "", kContent},
};

class RangeTest : public ::testing::TestWithParam<Case> {};

TEST_P(RangeTest, Answers) {
  const Case& c = GetParam();
  auto server = make_server();
  std::string header =
      *c.range ? std::string("Range: ") + c.range + "\r\n" : "";
  auto r = server.get("/file", header);
  EXPECT_EQ(r.code, c.code);
  EXPECT_EQ(r.body, c.body);
  EXPECT_EQ(r.headers.get("Content-Range"), c.content_range);
  EXPECT_EQ(r.headers.get("Accept-Ranges"), "bytes");
  EXPECT_EQ(r.headers.get("Content-Type"), "text/plain");
  if (c.code != 416) {
    EXPECT_EQ(r.headers.get("Content-Length"), std::to_string(c.body.size()));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, RangeTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

TEST(RangeEdgeTest, EmptyContentMakesEveryRangeUnsatisfiable) {
  auto server = make_server("");
  auto r = server.get("/empty", "Range: bytes=0-\r\n");
  EXPECT_EQ(r.code, 416);
  EXPECT_EQ(r.headers.get("Content-Range"), "bytes */0");
  auto whole = server.get("/empty");
  EXPECT_EQ(whole.code, 200);
  EXPECT_EQ(whole.body, "");
}

TEST(RangeEdgeTest, OnlyGetHonoursRange) {
  auto server = make_server();
  auto r = server.fetch(
      "POST /file HTTP/1.1\r\nHost: t\r\nRange: bytes=0-0\r\n"
      "Content-Length: 0\r\n\r\n",
      "POST");
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.body, kContent);
}

TEST(RangeEdgeTest, LargeContentSlices) {
  std::string big(1 << 20, 'x');
  big[700000] = 'Y';
  auto server = make_server(big);
  auto r = server.get("/big", "Range: bytes=700000-700009\r\n");
  EXPECT_EQ(r.code, 206);
  EXPECT_EQ(r.body, "Y" + std::string(9, 'x'));
  EXPECT_EQ(r.headers.get("Content-Range"), "bytes 700000-700009/1048576");
}

}  // namespace
}  // namespace eddy::exercises
