// Grading tests of exercise 04.1 (cookies.h): a named case table (from
// Tornado's test_parse_cookie and Python's http.cookies tests), every input
// fed in an allocation of exactly its size, and a linear-time check.
#include "04_httputil/exercises/cookies.h"

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Parses `text` from a heap copy with no slack: a read past the end is a
// heap overflow under --config=asan.
Pairs parse_exact(std::string_view text) {
  std::unique_ptr<char[]> copy(new char[text.empty() ? 1 : text.size()]);
  if (!text.empty()) std::memcpy(copy.get(), text.data(), text.size());
  return parse_cookie(std::string_view(copy.get(), text.size()));
}

struct Case {
  const char* name;
  std::string header;
  Pairs want;
};

const Case kCases[] = {
    {"one", "a=b", {{"a", "b"}}},
    {"two", "a=b; c=d", {{"a", "b"}, {"c", "d"}}},
    {"spaces_and_tabs_stripped",
     "  a = b ;\tc=\td  ",
     {{"a", "b"}, {"c", "d"}}},
    {"no_space_after_semicolon", "a=1;b=2", {{"a", "1"}, {"b", "2"}}},
    {"equals_in_value", "token=abc=def==", {{"token", "abc=def=="}}},
    {"empty_value", "a=; b=2", {{"a", ""}, {"b", "2"}}},
    {"no_equals_is_empty_name", "keebler; a=b", {{"", "keebler"}, {"a", "b"}}},
    {"empty_chunks_dropped", ";; a=b ;; ;", {{"a", "b"}}},
    {"empty_header", "", {}},
    {"only_equals_dropped", "=", {}},
    {"duplicates_kept_in_order", "a=1; a=2", {{"a", "1"}, {"a", "2"}}},
    {"quoted", "a=\"hello world\"", {{"a", "hello world"}}},
    {"quoted_escaped_quote", "a=\"x\\\"y\"", {{"a", "x\"y"}}},
    {"quoted_escaped_backslash", "a=\"x\\\\y\"", {{"a", "x\\y"}}},
    {"quoted_octal", "a=\"\\073\\054\"", {{"a", ";,"}}},
    {"quoted_empty", "a=\"\"", {{"a", ""}}},
    {"lone_quote_kept", "a=\"", {{"a", "\""}}},
    {"open_quote_kept", "a=\"abc", {{"a", "\"abc"}}},
    {"close_quote_kept", "a=abc\"", {{"a", "abc\""}}},
    {"unquoted_backslash_kept", "a=x\\073", {{"a", "x\\073"}}},
    {"tornado_chrome_example",
     "chips=ahoy; vienna=finger",
     {{"chips", "ahoy"}, {"vienna", "finger"}}},
    {"tornado_quoted_semicolon_is_still_a_split",
     "keebler=\"E=mc2; L=\\\"Loves\\\"; fudge=\\012;\"",
     {{"keebler", "\"E=mc2"},
      {"L", "\\\"Loves\\\""},
      {"fudge", "\\012"},
      {"", "\""}}},
    {"quoted_trailing_backslash_kept", "a=\"ab\\\"", {{"a", "ab\\"}}},
    {"quoted_octal_first_digit_above_3_is_an_escape",
     "a=\"\\477\"",
     {{"a", "477"}}},
    {"non_ascii_bytes_kept", "name=caf\xc3\xa9", {{"name", "caf\xc3\xa9"}}},
};

class ParseCookieTest : public ::testing::TestWithParam<Case> {};

TEST_P(ParseCookieTest, MatchesTheTable) {
  const Case& c = GetParam();
  EXPECT_EQ(parse_exact(c.header), c.want) << "header: " << c.header;
}

INSTANTIATE_TEST_SUITE_P(Table, ParseCookieTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

TEST(ParseCookieEdgeTest, EveryPrefixParsesWithoutReadingPastIt) {
  std::string header = "a=1; b=\"two\\054 2\"; keebler; c=\"\\\"\"; =x";
  for (size_t n = 0; n <= header.size(); ++n) {
    Pairs got = parse_exact(std::string_view(header).substr(0, n));
    for (const auto& [name, value] : got) {
      EXPECT_EQ(name.find(';'), std::string::npos) << "prefix " << n;
      EXPECT_FALSE(name.empty() && value.empty()) << "prefix " << n;
    }
  }
  EXPECT_EQ(parse_exact(header), (Pairs{{"a", "1"},
                                        {"b", "two, 2"},
                                        {"", "keebler"},
                                        {"c", "\""},
                                        {"", "x"}}));
}

TEST(ParseCookieEdgeTest, LinearTimeOnAHugeHeader) {
  // 200 000 cookies (about 2.6 MB). A quadratic parser (erase from the front,
  // re-scan from the start) takes minutes here; a linear one milliseconds.
  std::string header;
  for (int i = 0; i < 200000; ++i) header += "c" + std::to_string(i) + "=v; ";
  auto start = std::chrono::steady_clock::now();
  Pairs got = parse_exact(header);
  double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_EQ(got.size(), 200000u);
  EXPECT_EQ(got.back(), (std::pair<std::string, std::string>{"c199999", "v"}));
  EXPECT_LT(took, 3.0);
}

TEST(ParseCookieEdgeTest, OneHugeQuotedValue) {
  std::string value(1 << 20, 'x');
  std::string header = "big=\"" + value + "\\\"\"";
  auto start = std::chrono::steady_clock::now();
  Pairs got = parse_exact(header);
  double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, value + "\"");
  EXPECT_LT(took, 3.0);
}

}  // namespace
}  // namespace eddy::exercises
