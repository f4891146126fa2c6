// format_timestamp and responses.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>

#include "04_httputil/dates.h"
#include "04_httputil/responses.h"

namespace eddy {
namespace {

TEST(FormatTimestampTest, TornadoExample) {
  // Tornado's test_format_timestamp: 1359312200.503611 from every input type.
  EXPECT_EQ(format_timestamp(1359312200.503611),
            "Sun, 27 Jan 2013 18:43:20 GMT");
  const auto point = std::chrono::system_clock::time_point(
      std::chrono::microseconds(1359312200503611LL));
  EXPECT_EQ(format_timestamp(point), "Sun, 27 Jan 2013 18:43:20 GMT");
}

TEST(FormatTimestampTest, Rfc9110Example) {
  EXPECT_EQ(format_timestamp(784111777.0), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(FormatTimestampTest, EpochLeapDayAndPreEpoch) {
  EXPECT_EQ(format_timestamp(0.0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_timestamp(951782400.0), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format_timestamp(-1.0), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(format_timestamp(-0.5), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(format_timestamp(4102444799.0), "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST(FormatTimestampTest, ExtremesAreClamped) {
  EXPECT_EQ(format_timestamp(1e300), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(format_timestamp(-1e300), "Sat, 01 Jan 0000 00:00:00 GMT");
  EXPECT_EQ(format_timestamp(std::nan("")), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(
      format_timestamp(std::chrono::system_clock::time_point::max()).size(),
      29u);
}

TEST(ResponsesTest, KnownPhrases) {
  EXPECT_EQ(responses(200), "OK");
  EXPECT_EQ(responses(404), "Not Found");
  EXPECT_EQ(responses(100), "Continue");
  EXPECT_EQ(responses(413), "Content Too Large");
  EXPECT_EQ(responses(431), "Request Header Fields Too Large");
  EXPECT_EQ(responses(511), "Network Authentication Required");
}

TEST(ResponsesTest, UnknownCodesAreEmpty) {
  EXPECT_EQ(responses(0), "");
  EXPECT_EQ(responses(299), "");
  EXPECT_EQ(responses(-1), "");
  EXPECT_EQ(responses(1000), "");
}

TEST(ResponsesTest, EveryPhraseIsAValidReasonPhrase) {
  int known = 0;
  for (int code = 100; code < 600; ++code) {
    for (char c : responses(code)) {
      EXPECT_TRUE(c == ' ' || (c > 0x20 && c < 0x7f)) << code;
    }
    known += !responses(code).empty();
  }
  EXPECT_EQ(known, 62);
}

}  // namespace
}  // namespace eddy
