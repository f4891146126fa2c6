// Grading tests of exercise 04.3 (chunked_decoder.h): named valid and
// invalid bodies, each fed whole, byte by byte, and split at every offset
// into two and three pieces (picohttpparser / llhttp style); the outcome must
// not depend on the split.
#include "04_httputil/exercises/chunked_decoder.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

struct Outcome {
  bool error = false;
  std::string body;
  size_t consumed = 0;  // Of the whole input.
  bool done = false;
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "{error=" << o.error << " body='" << o.body
            << "' consumed=" << o.consumed << " done=" << o.done << "}";
}

// Feeds `input` cut at `cuts` (increasing offsets). Stops feeding at the
// first error, or once done (the rest is the next request).
Outcome run(std::string_view input, const std::vector<size_t>& cuts,
            uint64_t max_body = 1 << 20, size_t max_line = 64) {
  ChunkedDecoder decoder(max_body, max_line);
  Outcome out;
  size_t start = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (size_t end : ends) {
    std::string piece(input.substr(start, end - start));  // Exact allocation.
    try {
      size_t n = decoder.feed(piece, out.body);
      EXPECT_LE(n, piece.size());
      out.consumed += n;
      if (n < piece.size()) {
        EXPECT_TRUE(decoder.done()) << "stopped early without being done";
        break;
      }
    } catch (const HTTPInputError&) {
      out.error = true;
      out.body.clear();
      out.consumed = 0;
      break;
    }
    start = end;
  }
  out.done = decoder.done();
  return out;
}

struct Case {
  const char* name;
  std::string input;
  Outcome want;
};

Outcome ok(std::string body, size_t consumed) {
  return Outcome{false, std::move(body), consumed, true};
}
Outcome incomplete(std::string body, size_t consumed) {
  return Outcome{false, std::move(body), consumed, false};
}
const Outcome kError{true, "", 0, false};

const std::string kWiki =
    "4\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\n";

const Case kCases[] = {
    {"wikipedia", kWiki, ok("Wikipedia in \r\n\r\nchunks.", kWiki.size())},
    {"empty_body", "0\r\n\r\n", ok("", 5)},
    {"many_zeros_last_chunk", "000\r\n\r\n", ok("", 7)},
    {"hex_both_cases", "a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n",
     ok("0123456789abcdefghij", 35)},
    {"leading_zeros", "0003\r\nabc\r\n0\r\n\r\n", ok("abc", 16)},
    {"extension_ignored", "3;name=value\r\nabc\r\n0;last\r\n\r\n",
     ok("abc", 29)},
    {"extension_after_spaces", "3 \t;x\r\nabc\r\n0\r\n\r\n", ok("abc", 17)},
    {"trailers_ignored", "3\r\nabc\r\n0\r\nExpires: never\r\nX-A: b\r\n\r\n",
     ok("abc", 37)},
    {"stops_before_next_request", "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n",
     ok("abc", 13)},
    {"data_may_hold_crlf_and_digits", "5\r\n0\r\n\r\n\r\n0\r\n\r\n",
     ok("0\r\n\r\n", 15)},
    {"incomplete_size_line", "3\r\nabc\r\n1", incomplete("abc", 9)},
    {"incomplete_data", "5\r\nab", incomplete("ab", 5)},
    {"incomplete_trailer", "0\r\nX: y\r\n", incomplete("", 9)},
    {"size_line_at_max_length_ok",
     "1;" + std::string(62, 'e') + "\r\nz\r\n0\r\n\r\n", ok("z", 74)},
    {"error_not_hex", "g\r\nabc\r\n0\r\n\r\n", kError},
    {"error_empty_size", "\r\nabc\r\n0\r\n\r\n", kError},
    {"error_0x_prefix", "0x3\r\nabc\r\n0\r\n\r\n", kError},
    {"error_sign", "+3\r\nabc\r\n0\r\n\r\n", kError},
    {"error_leading_space", " 3\r\nabc\r\n0\r\n\r\n", kError},
    {"error_junk_after_size", "3 x\r\nabc\r\n0\r\n\r\n", kError},
    {"error_bare_lf_size_line", "3\nabc\r\n0\r\n\r\n", kError},
    {"error_bare_cr_size_line", "3\rabc\r\n0\r\n\r\n", kError},
    {"error_data_not_followed_by_crlf", "3\r\nabcd\r\n0\r\n\r\n", kError},
    {"error_data_followed_by_lf", "3\r\nabc\n0\r\n\r\n", kError},
    {"error_overflow", "1" + std::string(16, '0') + "\r\n", kError},
    {"error_overflow_wraps_to_small", "10000000000000003\r\nabc\r\n0\r\n\r\n",
     kError},
    {"error_body_too_big_before_data", "100001\r\nabc", kError},
    {"error_body_too_big_over_chunks",
     "80000\r\n" + std::string(0x80000, 'a') + "\r\n80001\r\n", kError},
    {"error_size_line_too_long",
     "1;" + std::string(63, 'e') + "\r\nz\r\n0\r\n\r\n", kError},
    {"error_size_line_too_long_without_crlf", "1;" + std::string(100, 'e'),
     kError},
    {"error_trailer_without_colon", "0\r\nnot a header\r\n\r\n", kError},
    {"error_trailer_bare_lf", "0\r\nX: y\n\r\n", kError},
    {"error_last_chunk_bare_lf_end", "0\r\n\n", kError},
};

class ChunkedDecoderTest : public ::testing::TestWithParam<Case> {};

TEST_P(ChunkedDecoderTest, Whole) {
  const Case& c = GetParam();
  EXPECT_EQ(run(c.input, {}), c.want);
}

TEST_P(ChunkedDecoderTest, ByteByByte) {
  const Case& c = GetParam();
  if (c.input.size() > 2000) GTEST_SKIP() << "large input: Whole covers it";
  std::vector<size_t> cuts;
  for (size_t i = 1; i < c.input.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(run(c.input, cuts), c.want);
}

TEST_P(ChunkedDecoderTest, EveryTwoAndThreeWaySplit) {
  const Case& c = GetParam();
  if (c.input.size() > 200) GTEST_SKIP() << "large input: Whole covers it";
  for (size_t i = 0; i <= c.input.size(); ++i) {
    ASSERT_EQ(run(c.input, {i}), c.want) << "split at " << i;
    for (size_t j = i; j <= c.input.size(); j += 3)
      ASSERT_EQ(run(c.input, {i, j}), c.want) << "split at " << i << ", " << j;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ChunkedDecoderTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

TEST(ChunkedDecoderStateTest, FeedAfterDoneConsumesNothing) {
  ChunkedDecoder decoder;
  std::string body;
  EXPECT_EQ(decoder.feed("1\r\nx\r\n0\r\n\r\n", body), 11u);
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(decoder.feed("more", body), 0u);
  EXPECT_EQ(body, "x");
}

TEST(ChunkedDecoderStateTest, ErrorsAreSticky) {
  ChunkedDecoder decoder;
  std::string body;
  EXPECT_THROW(decoder.feed("z\r\n", body), HTTPInputError);
  EXPECT_THROW(decoder.feed("0\r\n\r\n", body), HTTPInputError);
  EXPECT_FALSE(decoder.done());
}

TEST(ChunkedDecoderStateTest, EmptyFeedsAreHarmless) {
  ChunkedDecoder decoder;
  std::string body;
  EXPECT_EQ(decoder.feed("", body), 0u);
  EXPECT_EQ(decoder.feed("2\r\nhi\r\n", body), 7u);
  EXPECT_EQ(decoder.feed("", body), 0u);
  EXPECT_EQ(decoder.feed("0\r\n\r\n", body), 5u);
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(body, "hi");
}

TEST(ChunkedDecoderStateTest, BodyExactlyAtTheLimitIsAccepted) {
  ChunkedDecoder decoder(10, 64);
  std::string body;
  EXPECT_EQ(decoder.feed("4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n", body), 25u);
  EXPECT_EQ(body, "abcdefghij");
  ChunkedDecoder over(10, 64);
  std::string body2;
  EXPECT_THROW(over.feed("4\r\nabcd\r\n7\r\n", body2), HTTPInputError);
}

}  // namespace
}  // namespace eddy::exercises
