// Grading tests of exercise 04.2 (http_date.h): the RFC's three examples, a
// table of rejects, every prefix of a valid date rejected, and a round trip
// through chapter 04's format_timestamp for many instants.
#include "04_httputil/exercises/http_date.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "04_httputil/dates.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

using std::chrono::system_clock;
using namespace std::chrono_literals;

std::optional<system_clock::time_point> parse_exact(std::string_view text) {
  std::unique_ptr<char[]> copy(new char[text.empty() ? 1 : text.size()]);
  if (!text.empty()) std::memcpy(copy.get(), text.data(), text.size());
  return parse_http_date(std::string_view(copy.get(), text.size()));
}

int64_t unix_seconds(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

constexpr int64_t kRfcExample = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(ParseHttpDateTest, ImfFixdate) {
  auto t = parse_exact("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(unix_seconds(*t), kRfcExample);
}

TEST(ParseHttpDateTest, Rfc850) {
  auto t = parse_exact("Sunday, 06-Nov-94 08:49:37 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(unix_seconds(*t), kRfcExample);
}

TEST(ParseHttpDateTest, Asctime) {
  auto t = parse_exact("Sun Nov  6 08:49:37 1994");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(unix_seconds(*t), kRfcExample);
  auto two_digit_day = parse_exact("Wed Nov 16 08:49:37 1994");
  ASSERT_TRUE(two_digit_day.has_value());
  EXPECT_EQ(unix_seconds(*two_digit_day), kRfcExample + 10 * 86400);
}

TEST(ParseHttpDateTest, Rfc850TwoDigitYears) {
  auto y2k = parse_exact("Saturday, 01-Jan-00 00:00:00 GMT");
  ASSERT_TRUE(y2k.has_value());
  EXPECT_EQ(unix_seconds(*y2k), 946684800);
  auto epoch = parse_exact("Thursday, 01-Jan-70 00:00:00 GMT");
  ASSERT_TRUE(epoch.has_value());
  EXPECT_EQ(unix_seconds(*epoch), 0);
  auto y2069 = parse_exact("Tuesday, 31-Dec-69 23:59:59 GMT");
  ASSERT_TRUE(y2069.has_value());
  EXPECT_EQ(unix_seconds(*y2069), 3155759999);
}

TEST(ParseHttpDateTest, LeapDays) {
  EXPECT_TRUE(parse_exact("Thu, 29 Feb 2024 12:00:00 GMT").has_value());
  EXPECT_TRUE(parse_exact("Tue, 29 Feb 2000 12:00:00 GMT").has_value());
  EXPECT_FALSE(parse_exact("Thu, 29 Feb 1900 12:00:00 GMT").has_value());
  EXPECT_FALSE(parse_exact("Wed, 29 Feb 2023 12:00:00 GMT").has_value());
  EXPECT_FALSE(parse_exact("Fri, 31 Apr 2020 12:00:00 GMT").has_value());
  EXPECT_EQ(unix_seconds(*parse_exact("Thu, 29 Feb 2024 12:00:00 GMT")),
            1709208000);
}

TEST(ParseHttpDateTest, YearsATimePointCannotHoldAreRejected) {
  EXPECT_FALSE(parse_exact("Sat, 01 Jan 2300 00:00:00 GMT").has_value());
  EXPECT_FALSE(parse_exact("Fri, 31 Dec 9999 23:59:59 GMT").has_value());
  EXPECT_FALSE(parse_exact("Mon, 01 Jan 0001 00:00:00 GMT").has_value());
  auto t = parse_exact("Fri, 01 Jan 1700 00:00:00 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(unix_seconds(*t), -8520336000);
}

TEST(ParseHttpDateTest, DayNameIsNotCheckedAgainstTheDate) {
  auto t = parse_exact("Mon, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(unix_seconds(*t), kRfcExample);
}

TEST(ParseHttpDateTest, Rejects) {
  const char* bad[] = {
      "",
      "Sun, 06 Nov 1994 08:49:37",         // no zone
      "Sun, 06 Nov 1994 08:49:37 UTC",     // not GMT
      "Sun, 06 Nov 1994 08:49:37 gmt",     // lower case
      "sun, 06 Nov 1994 08:49:37 GMT",     // day name case
      "Sun, 06 nov 1994 08:49:37 GMT",     // month name case
      "Foo, 06 Nov 1994 08:49:37 GMT",     // no such day
      "Sun, 06 Nox 1994 08:49:37 GMT",     // no such month
      "Sun, 6 Nov 1994 08:49:37 GMT",      // day not two digits
      "Sun, 06 Nov 94 08:49:37 GMT",       // two-digit year in IMF-fixdate
      "Sun,  06 Nov 1994 08:49:37 GMT",    // two spaces
      " Sun, 06 Nov 1994 08:49:37 GMT",    // leading space
      "Sun, 06 Nov 1994 08:49:37 GMT ",    // trailing space
      "Sun, 06 Nov 1994 24:00:00 GMT",     // hour 24
      "Sun, 06 Nov 1994 08:60:00 GMT",     // minute 60
      "Sun, 06 Nov 1994 08:49:60 GMT",     // second 60
      "Sun, 00 Nov 1994 08:49:37 GMT",     // day 0
      "Sun, 32 Nov 1994 08:49:37 GMT",     // day 32
      "Sun, 06 Nov 1994 8:49:37 GMT",      // hour one digit
      "Sun, 06 Nov 1994 08:49:3x GMT",     // not a digit
      "Sun, 06 Nov +994 08:49:37 GMT",     // sign
      "Sun, 06 Nov 1994 08-49-37 GMT",     // separators
      "Sun, 06-Nov-1994 08:49:37 GMT",     // RFC 850 dashes, short day name
      "Sun, 06-Nov-94 08:49:37 GMT",       // RFC 850 needs the full day name
      "Sunday, 06 Nov 1994 08:49:37 GMT",  // IMF-fixdate needs the short name
      "Sunday, 06-Nov-1994 08:49:37 GMT",  // four-digit year in RFC 850
      "Sunday, 06-Nov-94 08:49:37",        // RFC 850 without zone
      "Sun Nov 6 08:49:37 1994",           // asctime day not padded
      "Sun Nov 06 08:49:37 1994",          // asctime pads with a space
      "Sun Nov  6 08:49:37 94",            // asctime two-digit year
      "Sun Nov  6 08:49:37 1994 GMT",      // asctime has no zone
  };
  for (const char* text : bad)
    EXPECT_FALSE(parse_exact(text).has_value()) << "accepted: '" << text << "'";
  EXPECT_FALSE(
      parse_exact(std::string_view("Sun, 06 Nov 1994 08:49:37 GMT\0", 30))
          .has_value())
      << "a trailing NUL byte";
}

TEST(ParseHttpDateTest, EveryProperPrefixIsRejected) {
  for (std::string_view date :
       {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994"}) {
    for (size_t n = 0; n < date.size(); ++n)
      EXPECT_FALSE(parse_exact(date.substr(0, n)).has_value())
          << "accepted the prefix '" << date.substr(0, n) << "'";
  }
}

TEST(ParseHttpDateTest, RoundTripsFormatTimestamp) {
  // Instants spread over 1700-2261, fractions included: parsing the
  // formatted text gives the instant floored to the second.
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // 1700-01-01 .. 2261-12-31: what a nanosecond time_point holds.
    int64_t seconds = static_cast<int64_t>(x % 17735155200ull) - 8520336000;
    auto t = system_clock::time_point(std::chrono::seconds(seconds)) +
             std::chrono::milliseconds(x % 1000);
    std::string text = format_timestamp(t);
    auto parsed = parse_exact(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    ASSERT_EQ(unix_seconds(*parsed), seconds) << text;
  }
}

}  // namespace
}  // namespace eddy::exercises
