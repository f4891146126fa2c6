// The RFC 9112 framing rules as a table: each row is a request head's
// version and headers, and what the server must decide.
#include "05_httpserver/request_framing.h"

#include <gtest/gtest.h>

namespace eddy {
namespace {

struct FramingCase {
  const char* name;
  const char* version;
  std::vector<std::pair<std::string, std::string>> headers;
  int error_status;
  BodyKind body;
  uint64_t content_length;
};

HTTPHeaders make_headers(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  HTTPHeaders headers;
  for (const auto& [name, value] : fields) headers.add(name, value);
  return headers;
}

const std::vector<FramingCase> kCases = {
    {"plain_get", "HTTP/1.1", {{"Host", "a"}}, 0, BodyKind::kNone, 0},
    {"http10_without_host", "HTTP/1.0", {}, 0, BodyKind::kNone, 0},
    {"http11_without_host", "HTTP/1.1", {}, 400, BodyKind::kNone, 0},
    {"two_hosts",
     "HTTP/1.1",
     {{"Host", "a"}, {"Host", "b"}},
     400,
     BodyKind::kNone,
     0},
    {"two_hosts_http10",
     "HTTP/1.0",
     {{"Host", "a"}, {"Host", "a"}},
     400,
     BodyKind::kNone,
     0},
    {"http2", "HTTP/2.0", {{"Host", "a"}}, 505, BodyKind::kNone, 0},
    {"http09_major", "HTTP/0.9", {{"Host", "a"}}, 505, BodyKind::kNone, 0},
    {"http12_is_http11", "HTTP/1.2", {{"Host", "a"}}, 0, BodyKind::kNone, 0},
    {"content_length",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "42"}},
     0,
     BodyKind::kContentLength,
     42},
    {"content_length_zero",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "0"}},
     0,
     BodyKind::kNone,
     0},
    {"content_length_repeated_equal",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "5"}, {"Content-Length", "5"}},
     0,
     BodyKind::kContentLength,
     5},
    {"content_length_list_equal",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "5, 5"}},
     0,
     BodyKind::kContentLength,
     5},
    {"content_length_conflict",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "5"}, {"Content-Length", "6"}},
     400,
     BodyKind::kNone,
     0},
    {"content_length_list_conflict",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "5, 6"}},
     400,
     BodyKind::kNone,
     0},
    {"content_length_negative",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "-1"}},
     400,
     BodyKind::kNone,
     0},
    {"content_length_plus",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "+5"}},
     400,
     BodyKind::kNone,
     0},
    {"content_length_hex",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "0x10"}},
     400,
     BodyKind::kNone,
     0},
    {"content_length_empty",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", ""}},
     400,
     BodyKind::kNone,
     0},
    {"content_length_inner_space",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "1 2"}},
     400,
     BodyKind::kNone,
     0},
    {"content_length_over_limit",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "1001"}},
     413,
     BodyKind::kNone,
     0},
    {"content_length_overflow",
     "HTTP/1.1",
     {{"Host", "a"}, {"Content-Length", "99999999999999999999999999"}},
     413,
     BodyKind::kNone,
     0},
    {"chunked",
     "HTTP/1.1",
     {{"Host", "a"}, {"Transfer-Encoding", "chunked"}},
     0,
     BodyKind::kChunked,
     0},
    {"chunked_case_insensitive",
     "HTTP/1.1",
     {{"Host", "a"}, {"Transfer-Encoding", "Chunked"}},
     0,
     BodyKind::kChunked,
     0},
    {"chunked_with_content_length",
     "HTTP/1.1",
     {{"Host", "a"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}},
     400,
     BodyKind::kNone,
     0},
    {"chunked_not_final",
     "HTTP/1.1",
     {{"Host", "a"}, {"Transfer-Encoding", "chunked, gzip"}},
     400,
     BodyKind::kNone,
     0},
    {"unknown_coding_only",
     "HTTP/1.1",
     {{"Host", "a"}, {"Transfer-Encoding", "gzip"}},
     400,
     BodyKind::kNone,
     0},
    {"unknown_coding_before_chunked",
     "HTTP/1.1",
     {{"Host", "a"}, {"Transfer-Encoding", "gzip, chunked"}},
     501,
     BodyKind::kNone,
     0},
    {"unknown_coding_in_two_headers",
     "HTTP/1.1",
     {{"Host", "a"},
      {"Transfer-Encoding", "foo"},
      {"Transfer-Encoding", "chunked"}},
     501,
     BodyKind::kNone,
     0},
    {"chunked_twice",
     "HTTP/1.1",
     {{"Host", "a"}, {"Transfer-Encoding", "chunked, chunked"}},
     400,
     BodyKind::kNone,
     0},
    {"transfer_encoding_empty",
     "HTTP/1.1",
     {{"Host", "a"}, {"Transfer-Encoding", ""}},
     400,
     BodyKind::kNone,
     0},
    {"transfer_encoding_http10",
     "HTTP/1.0",
     {{"Transfer-Encoding", "chunked"}},
     400,
     BodyKind::kNone,
     0},
};

class FramingTest : public ::testing::TestWithParam<FramingCase> {};

TEST_P(FramingTest, Decides) {
  const FramingCase& c = GetParam();
  RequestFraming framing =
      check_request_framing(c.version, make_headers(c.headers), 1000);
  EXPECT_EQ(framing.error_status, c.error_status) << framing.error_reason;
  if (c.error_status == 0) {
    EXPECT_EQ(framing.body, c.body);
    EXPECT_EQ(framing.content_length, c.content_length);
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc9112, FramingTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) {
                           return std::string(info.param.name);
                         });

TEST(RequestFraming, ExpectContinueOnlyWithABodyOnHttp11) {
  auto with_body = check_request_framing(
      "HTTP/1.1",
      make_headers(
          {{"Host", "a"}, {"Content-Length", "3"}, {"Expect", "100-Continue"}}),
      1000);
  EXPECT_TRUE(with_body.expect_continue);
  auto without_body = check_request_framing(
      "HTTP/1.1", make_headers({{"Host", "a"}, {"Expect", "100-continue"}}),
      1000);
  EXPECT_FALSE(without_body.expect_continue);
  auto http10 = check_request_framing(
      "HTTP/1.0",
      make_headers({{"Content-Length", "3"}, {"Expect", "100-continue"}}),
      1000);
  EXPECT_FALSE(http10.expect_continue);
}

TEST(RequestFraming, KeepAliveRules) {
  EXPECT_TRUE(request_allows_keep_alive("HTTP/1.1", make_headers({})));
  EXPECT_FALSE(request_allows_keep_alive(
      "HTTP/1.1", make_headers({{"Connection", "close"}})));
  EXPECT_FALSE(request_allows_keep_alive(
      "HTTP/1.1", make_headers({{"Connection", "TE, Close"}})));
  EXPECT_FALSE(request_allows_keep_alive("HTTP/1.0", make_headers({})));
  EXPECT_TRUE(request_allows_keep_alive(
      "HTTP/1.0", make_headers({{"Connection", "keep-alive"}})));
  EXPECT_TRUE(request_allows_keep_alive(
      "HTTP/1.0", make_headers({{"Connection", "Keep-Alive"}})));
}

// parse_chunk_size_line (RFC 9112 §7.1): the size is 1*HEXDIG, then an
// optional extension, then CRLF.
struct ChunkSizeCase {
  const char* name;
  std::string line;
  bool valid;
  uint64_t size;
};

const std::vector<ChunkSizeCase> kChunkSizes = {
    {"zero", "0\r\n", true, 0},
    {"decimal_digits", "10\r\n", true, 16},
    {"lowercase_hex", "1a\r\n", true, 26},
    {"uppercase_hex", "FF\r\n", true, 255},
    {"leading_zeros", "0005\r\n", true, 5},
    {"extension", "5;name=value\r\n", true, 5},
    {"extension_after_whitespace", "1 ; quoted=\"x\"\r\n", true, 1},
    {"extension_with_tab", "2;a=\tb\r\n", true, 2},
    {"overflow_saturates", "ffffffffffffffffffff\r\n", true, UINT64_MAX},
    {"largest_exact", "ffffffffffffffff\r\n", true, UINT64_MAX},
    {"empty", "\r\n", false, 0},
    {"no_crlf", "5", false, 0},
    {"bare_lf", "5\n", false, 0},
    {"negative", "-1\r\n", false, 0},
    {"plus_sign", "+5\r\n", false, 0},
    {"hex_prefix", "0x5\r\n", false, 0},
    {"leading_space", " 5\r\n", false, 0},
    {"trailing_space_without_extension", "5 \r\n", false, 0},
    {"not_hex", "g\r\n", false, 0},
    {"junk_after_size", "5x\r\n", false, 0},
    {"control_character_in_extension", "5;a\x01\r\n", false, 0},
    {"delete_in_extension", "5;a\x7f\r\n", false, 0},
    {"cr_inside", "5\r;a\r\n", false, 0},
};

class ChunkSizeLineTest : public ::testing::TestWithParam<ChunkSizeCase> {};

TEST_P(ChunkSizeLineTest, Parses) {
  const ChunkSizeCase& c = GetParam();
  uint64_t size = 12345;
  EXPECT_EQ(parse_chunk_size_line(c.line, size), c.valid);
  if (c.valid) {
    EXPECT_EQ(size, c.size);
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc9112, ChunkSizeLineTest,
                         ::testing::ValuesIn(kChunkSizes),
                         [](const auto& info) {
                           return std::string(info.param.name);
                         });

TEST(RequestFraming, HeaderHasTokenComparesListElements) {
  HTTPHeaders headers = make_headers(
      {{"Connection", "TE,  Keep-Alive"}, {"Connection", ",upgrade"}});
  EXPECT_TRUE(header_has_token(headers, "Connection", "keep-alive"));
  EXPECT_TRUE(header_has_token(headers, "connection", "TE"));
  EXPECT_TRUE(header_has_token(headers, "Connection", "Upgrade"));
  EXPECT_FALSE(header_has_token(headers, "Connection", "close"));
  EXPECT_FALSE(header_has_token(headers, "Connection", "keep"));
  EXPECT_FALSE(header_has_token(headers, "Expect", "TE"));
}

}  // namespace
}  // namespace eddy
