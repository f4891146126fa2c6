// url_unescape, url_escape, parse_qs_bytes, url_concat, split_host_and_port:
// Tornado's QsParseTest, TestUrlConcat and split_host_and_port cases.
#include "04_httputil/url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "04_httputil/test_util.h"

namespace eddy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST(UrlUnescapeTest, DecodesPercentAndPlus) {
  EXPECT_EQ(url_unescape("a%20b+c"), "a b c");
  EXPECT_EQ(url_unescape("a%20b+c", /*plus=*/false), "a b+c");
  EXPECT_EQ(url_unescape("%2B"), "+");
  EXPECT_EQ(url_unescape("%c3%A9"), "\xc3\xa9");
  EXPECT_EQ(url_unescape("%00"), std::string(1, '\0'));
}

TEST(UrlUnescapeTest, MalformedEscapesStayLiteral) {
  EXPECT_EQ(url_unescape("%"), "%");
  EXPECT_EQ(url_unescape("%4"), "%4");
  EXPECT_EQ(url_unescape("%zz%4g"), "%zz%4g");
  EXPECT_EQ(url_unescape("100%"), "100%");
  EXPECT_EQ(url_unescape("%%41"), "%A");
}

TEST(UrlUnescapeTest, EveryPrefixWithoutOverreading) {
  const std::string text = "a%41%4";
  for (std::size_t k = 0; k <= text.size(); ++k) {
    const testing::ExactBuffer prefix(std::string_view(text).substr(0, k));
    EXPECT_LE(url_unescape(prefix.view()).size(), k);
  }
}

TEST(UrlEscapeTest, QuotePlusAndQuote) {
  EXPECT_EQ(url_escape("a b/c~_.-"), "a+b%2Fc~_.-");
  EXPECT_EQ(url_escape("a b/c", /*plus=*/false), "a%20b/c");
  EXPECT_EQ(url_escape("\xc3\xa9&="), "%C3%A9%26%3D");
}

TEST(ParseQsBytesTest, RepeatedKeysKeepOrder) {
  const ArgumentMap args = parse_qs_bytes("a=1&b=2&a=3&a=1");
  EXPECT_THAT(args, ElementsAre(Pair("a", ElementsAre("1", "3", "1")),
                                Pair("b", ElementsAre("2"))));
}

TEST(ParseQsBytesTest, PlusIsSpaceAndEscapesDecode) {
  const ArgumentMap args = parse_qs_bytes("foo=bar+baz&na%6De=%C3%A9&x=%2B");
  EXPECT_THAT(args, ElementsAre(Pair("foo", ElementsAre("bar baz")),
                                Pair("name", ElementsAre("\xc3\xa9")),
                                Pair("x", ElementsAre("+"))));
}

TEST(ParseQsBytesTest, BlankValues) {
  EXPECT_THAT(parse_qs_bytes("a=&b&c=1&&"),
              ElementsAre(Pair("c", ElementsAre("1"))));
  EXPECT_THAT(
      parse_qs_bytes("a=&b&c=1&&", /*keep_blank_values=*/true),
      ElementsAre(Pair("a", ElementsAre("")), Pair("b", ElementsAre("")),
                  Pair("c", ElementsAre("1"))));
  EXPECT_THAT(parse_qs_bytes(""), IsEmpty());
  EXPECT_THAT(parse_qs_bytes("=x"), ElementsAre(Pair("", ElementsAre("x"))));
}

TEST(ParseQsBytesTest, OnlyAmpersandSeparates) {
  // Python 3.10+ (and Tornado on it): ';' is data, not a separator.
  EXPECT_THAT(parse_qs_bytes("a=1;b=2"),
              ElementsAre(Pair("a", ElementsAre("1;b=2"))));
}

TEST(ParseQsBytesTest, FirstEqualsSplits) {
  EXPECT_THAT(parse_qs_bytes("a=b=c"),
              ElementsAre(Pair("a", ElementsAre("b=c"))));
}

TEST(ParseQsBytesTest, StrictParsingRejectsFieldsWithoutEquals) {
  EXPECT_THROW(parse_qs_bytes("a=1&b", false, /*strict_parsing=*/true),
               HTTPInputError);
  EXPECT_THROW(parse_qs_bytes("a=1&&b=2", false, /*strict_parsing=*/true),
               HTTPInputError);
  EXPECT_THAT(
      parse_qs_bytes("a=1&b=", true, true),
      ElementsAre(Pair("a", ElementsAre("1")), Pair("b", ElementsAre(""))));
}

TEST(ParseQsBytesTest, BytesAreNotTranscoded) {
  // Tornado decodes latin-1 and re-encodes: invalid UTF-8 survives as bytes.
  EXPECT_THAT(parse_qs_bytes("k=%FF%FE\xff"),
              ElementsAre(Pair("k", ElementsAre("\xff\xfe\xff"))));
}

TEST(ParseQslBytesTest, KeepsArrivalOrder) {
  EXPECT_THAT(parse_qsl_bytes("b=1&a=2&b=3"),
              ElementsAre(Pair("b", "1"), Pair("a", "2"), Pair("b", "3")));
}

// Tornado's TestUrlConcat.
TEST(UrlConcatTest, WithoutExistingQuery) {
  EXPECT_EQ(url_concat("https://localhost/path", {{"y", "y"}, {"z", "z"}}),
            "https://localhost/path?y=y&z=z");
}

TEST(UrlConcatTest, TrailingQuestionMark) {
  EXPECT_EQ(url_concat("https://localhost/path?", {{"y", "y"}, {"z", "z"}}),
            "https://localhost/path?y=y&z=z");
}

TEST(UrlConcatTest, ExistingQuery) {
  EXPECT_EQ(url_concat("https://localhost/path?x=1", {{"y", "y"}, {"z", "z"}}),
            "https://localhost/path?x=1&y=y&z=z");
}

TEST(UrlConcatTest, ExistingBlankParameterGetsEquals) {
  EXPECT_EQ(url_concat("https://localhost/path?x", {{"y", "y"}, {"z", "z"}}),
            "https://localhost/path?x=&y=y&z=z");
  EXPECT_EQ(url_concat("https://localhost/path?x&", {{"y", "y"}, {"z", "z"}}),
            "https://localhost/path?x=&y=y&z=z");
}

TEST(UrlConcatTest, MultipleValuesForOneName) {
  EXPECT_EQ(
      url_concat("https://localhost/path?r=1&r=2", {{"y", "y1"}, {"y", "y2"}}),
      "https://localhost/path?r=1&r=2&y=y1&y=y2");
}

TEST(UrlConcatTest, NoArguments) {
  EXPECT_EQ(url_concat("https://localhost/path?r=1&t=2", {}),
            "https://localhost/path?r=1&t=2");
  EXPECT_EQ(url_concat("https://localhost/path", {}), "https://localhost/path");
}

TEST(UrlConcatTest, FragmentStaysLast) {
  EXPECT_EQ(url_concat("https://localhost/path#tab", {{"y", "y"}}),
            "https://localhost/path?y=y#tab");
  EXPECT_EQ(url_concat("https://localhost/path?x=1#tab", {{"y", "y"}}),
            "https://localhost/path?x=1&y=y#tab");
}

TEST(UrlConcatTest, ArgumentsAreEncoded) {
  EXPECT_EQ(url_concat("/p", {{"a b", "c&d=e/f"}}), "/p?a+b=c%26d%3De%2Ff");
  EXPECT_EQ(url_concat("/p?q=a+b%21", {}), "/p?q=a+b%21");
}

TEST(SplitHostAndPortTest, Cases) {
  EXPECT_EQ(split_host_and_port("example.com:8080"),
            (HostAndPort{"example.com", 8080}));
  EXPECT_EQ(split_host_and_port("example.com"),
            (HostAndPort{"example.com", std::nullopt}));
  EXPECT_EQ(split_host_and_port("[::1]:443"), (HostAndPort{"[::1]", 443}));
  EXPECT_EQ(split_host_and_port("[::1]"), (HostAndPort{"[::1]", std::nullopt}));
  EXPECT_EQ(split_host_and_port("example.com:"),
            (HostAndPort{"example.com:", std::nullopt}));
  EXPECT_EQ(split_host_and_port(":80"), (HostAndPort{":80", std::nullopt}));
  EXPECT_EQ(split_host_and_port("a:b:0"), (HostAndPort{"a:b", 0}));
  EXPECT_EQ(split_host_and_port("a:65535"), (HostAndPort{"a", 65535}));
  EXPECT_EQ(split_host_and_port("a:8x"), (HostAndPort{"a:8x", std::nullopt}));
}

TEST(SplitHostAndPortTest, PortOutOfRange) {
  EXPECT_THROW(split_host_and_port("a:65536"), HTTPInputError);
  EXPECT_THROW(split_host_and_port("a:99999999999999999999999"),
               HTTPInputError);
}

}  // namespace
}  // namespace eddy
