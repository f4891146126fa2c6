// HTTPHeaders: the behaviours Tornado's HTTPHeadersTest pins down, every
// error path of parse/parse_line, and the strict RFC 9110/9112 rules.
#include "04_httputil/headers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "04_httputil/test_util.h"

namespace eddy {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using Fields = std::vector<std::pair<std::string, std::string>>;

Fields all(const HTTPHeaders& headers) {
  Fields fields;
  for (const HTTPHeaders::Field field : headers.get_all()) {
    fields.emplace_back(std::string(field.name), std::string(field.value));
  }
  return fields;
}

std::string crlf(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

TEST(HTTPHeadersTest, MultiLineValuesAreJoinedWithOneSpace) {
  const HTTPHeaders headers =
      HTTPHeaders::parse(crlf("Foo: bar\n"
                              " baz\n"
                              "Asdf: qwer\n"
                              "\tzxcv\n"
                              "Foo: even\n"
                              "     more\n"
                              "     lines\n"));
  EXPECT_EQ(headers["asdf"], "qwer zxcv");
  EXPECT_THAT(headers.get_list("asdf"), ElementsAre("qwer zxcv"));
  EXPECT_EQ(headers["Foo"], "bar baz,even more lines");
  EXPECT_THAT(headers.get_list("foo"),
              ElementsAre("bar baz", "even more lines"));
  EXPECT_THAT(all(headers),
              ElementsAre(Pair("Foo", "bar baz"), Pair("Asdf", "qwer zxcv"),
                          Pair("Foo", "even more lines")));
}

TEST(HTTPHeadersTest, ContinuationOfEmptyValueHasNoLeadingSpace) {
  // Regression: found by headers_fuzzer
  // (corpus/headers/regress_fold_onto_empty_value).
  const HTTPHeaders headers = HTTPHeaders::parse("LFoo:\n aree");
  EXPECT_THAT(all(headers), ElementsAre(Pair("Lfoo", "aree")));
}

TEST(HTTPHeadersTest, BlankContinuationLineAddsNothing) {
  const HTTPHeaders headers =
      HTTPHeaders::parse("Foo: bar\r\n \t \r\nX: y\r\n");
  EXPECT_THAT(all(headers), ElementsAre(Pair("Foo", "bar"), Pair("X", "y")));
}

TEST(HTTPHeadersTest, ControlCharacterInContinuationIsRejected) {
  // A continuation is part of a field value: RFC 9110 §5.5 applies to it too.
  EXPECT_THROW(HTTPHeaders::parse("Foo: bar\r\n b\x01z\r\n"), HTTPInputError);
  HTTPHeaders headers{{"Foo", "bar"}};
  EXPECT_THROW(headers.parse_line(" a\rb"), HTTPInputError);
  EXPECT_THROW(headers.parse_line("\tx\x1b[2J"), HTTPInputError);
  EXPECT_THAT(all(headers), ElementsAre(Pair("Foo", "bar")))
      << "unchanged after an error";
}

TEST(HTTPHeadersTest, ContinuationWithNothingToContinueIsAnError) {
  EXPECT_THROW(HTTPHeaders::parse(" Foo: bar"), HTTPInputError);
  EXPECT_THROW(HTTPHeaders::parse("\r\n\tFoo: bar"), HTTPInputError);
}

TEST(HTTPHeadersTest, RepeatedHeadersKeepEveryValueInOrder) {
  const HTTPHeaders headers = HTTPHeaders::parse(
      "Set-Cookie: a=1\r\nX: 1\r\nset-cookie: b=2\r\nSET-COOKIE: c=3\r\n");
  EXPECT_THAT(headers.get_list("Set-Cookie"), ElementsAre("a=1", "b=2", "c=3"));
  EXPECT_EQ(headers.get("set-cookie"), "a=1,b=2,c=3");
  EXPECT_EQ(headers.count("SET-cookie"), 3u);
  EXPECT_EQ(headers.size(), 4u);
}

TEST(HTTPHeadersTest, CrlfAndBareLfBothEndLines) {
  // Tornado's test_optional_cr, except that a bare CR is rejected (below).
  const HTTPHeaders headers =
      HTTPHeaders::parse("CRLF: crlf\r\nLF: lf\nLast: x");
  EXPECT_THAT(all(headers), ElementsAre(Pair("Crlf", "crlf"), Pair("Lf", "lf"),
                                        Pair("Last", "x")));
}

TEST(HTTPHeadersTest, BareCrIsRejected) {
  // Classic Tornado kept "cr\rMore: more" as a value; RFC 9112 §2.2 says a bare
  // CR makes the element invalid, and a proxy that splits on CR would see two
  // fields where we saw one.
  EXPECT_THROW(HTTPHeaders::parse("CR: cr\rMore: more\r\n"), HTTPInputError);
  EXPECT_THROW(HTTPHeaders::parse("CR: cr\r"), HTTPInputError);
}

TEST(HTTPHeadersTest, EmptyLinesAreSkipped) {
  const HTTPHeaders headers =
      HTTPHeaders::parse("\r\nA: 1\r\n\r\n\nB: 2\r\n\r\n");
  EXPECT_THAT(all(headers), ElementsAre(Pair("A", "1"), Pair("B", "2")));
}

TEST(HTTPHeadersTest, NonAsciiValueBytesPassThrough) {
  // Tornado's test_unicode_newlines: NEL (latin-1 0x85, UTF-8 C2 85), LINE
  // SEPARATOR and PARAGRAPH SEPARATOR are not line ends. They are obs-text.
  for (const std::string newline :
       {"\x85", "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9"}) {
    const HTTPHeaders headers =
        HTTPHeaders::parse("Cookie: foo=" + newline + "bar");
    EXPECT_THAT(all(headers),
                ElementsAre(Pair("Cookie", "foo=" + newline + "bar")));
  }
  const HTTPHeaders latin1 =
      HTTPHeaders::parse("X-Name: caf\xe9\r\nX-Utf8: \xc3\xa9t\xc3\xa9\r\n");
  EXPECT_EQ(latin1["x-name"], "caf\xe9");
  EXPECT_EQ(latin1["x-utf8"], "\xc3\xa9t\xc3\xa9");
}

TEST(HTTPHeadersTest, C0ControlCharactersInValuesAreRejected) {
  // Classic Tornado's test_unicode_newlines also listed \x1b..\x1e and kept
  // them; RFC 9110 §5.5 allows no control characters but HTAB.
  for (char c :
       std::string("\x00\x01\x08\x0b\x0c\x1b\x1c\x1d\x1e\x1f\x7f", 11)) {
    SCOPED_TRACE(static_cast<int>(c));
    EXPECT_THROW(HTTPHeaders::parse(std::string("Cookie: foo=") + c + "bar"),
                 HTTPInputError);
  }
  EXPECT_EQ(HTTPHeaders::parse("A: x\ty")["a"], "x\ty");
}

TEST(HTTPHeadersTest, OnlySpaceAndTabAreStripped) {
  // Tornado's test_unicode_whitespace.
  EXPECT_EQ(
      HTTPHeaders::parse("Transfer-Encoding: chunked")["transfer-encoding"],
      "chunked");
  EXPECT_EQ(
      HTTPHeaders::parse("Transfer-Encoding:\tchunked \t")["transfer-encoding"],
      "chunked");
  EXPECT_EQ(HTTPHeaders::parse("Transfer-Encoding: \xa0"
                               "chunked")["transfer-encoding"],
            "\xa0"
            "chunked");
  EXPECT_EQ(HTTPHeaders::parse("Transfer-Encoding: \x85"
                               "chunked")["transfer-encoding"],
            "\x85"
            "chunked");
}

TEST(HTTPHeadersTest, EmptyValueIsKept) {
  const HTTPHeaders headers = HTTPHeaders::parse("X-Empty:\r\nY:   \r\n");
  EXPECT_THAT(all(headers), ElementsAre(Pair("X-Empty", ""), Pair("Y", "")));
  EXPECT_TRUE(headers.contains("x-empty"));
}

TEST(HTTPHeadersTest, ValueMayContainColons) {
  EXPECT_EQ(HTTPHeaders::parse("Host: example.com:8080")["host"],
            "example.com:8080");
}

// A named table of header lines parse() must reject.
struct BadLine {
  const char* name;
  std::string text;
};

class MalformedHeaderLineTest : public ::testing::TestWithParam<BadLine> {};

TEST_P(MalformedHeaderLineTest, Throws) {
  EXPECT_THROW(HTTPHeaders::parse(GetParam().text), HTTPInputError);
  HTTPHeaders headers{{"Keep", "me"}};
  EXPECT_THROW(headers.parse_line(GetParam().text), HTTPInputError);
  EXPECT_THAT(all(headers), ElementsAre(Pair("Keep", "me")))
      << "unchanged after an error";
}

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedHeaderLineTest,
    ::testing::Values(BadLine{"NoColon", "Foo bar"},
                      BadLine{"NoColonAtAll", "Foo"},
                      BadLine{"SpaceBeforeColon", "Host : example.com"},
                      BadLine{"TabBeforeColon", "Host\t: example.com"},
                      BadLine{"EmptyName", ": value"},
                      BadLine{"SlashInName", "Foo/Bar: x"},
                      BadLine{"ParenInName", "Foo(1): x"},
                      BadLine{"NulInName", std::string("Fo\0o: x", 7)},
                      BadLine{"ControlInName", "Fo\x01o: x"},
                      BadLine{"NonAsciiName", "Caf\xc3\xa9: x"},
                      BadLine{"NulInValue", std::string("Foo: a\0b", 8)},
                      BadLine{"EscapeInValue", "Foo: a\x1b[31m"},
                      BadLine{"DelInValue", "Foo: a\x7f"},
                      BadLine{"BareCrInValue", "Foo: a\rb"}),
    [](const ::testing::TestParamInfo<BadLine>& info) {
      return info.param.name;
    });

TEST(HTTPHeadersTest, ErrorMessageQuotesTheLineSafely) {
  try {
    HTTPHeaders::parse("Bad Line \x1b[2J" + std::string(200, 'x'));
    FAIL() << "no exception";
  } catch (const HTTPInputError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("'Bad Line \\x1b[2J"), std::string::npos) << what;
    EXPECT_NE(what.find("..."), std::string::npos) << what;
    EXPECT_LT(what.size(), 120u) << what;
    EXPECT_EQ(what.find('\x1b'), std::string::npos);
  }
}

TEST(HTTPHeadersTest, ParseLineAcceptsLinesWithOrWithoutTerminator) {
  HTTPHeaders headers;
  headers.parse_line("A: 1\r\n");
  headers.parse_line("B: 2\n");
  headers.parse_line("C: 3");
  headers.parse_line(" continued\r\n");
  headers.parse_line("\r\n");
  EXPECT_THAT(all(headers), ElementsAre(Pair("A", "1"), Pair("B", "2"),
                                        Pair("C", "3 continued")));
}

TEST(HTTPHeadersTest, ParseLineContinuationWithNothingToContinue) {
  HTTPHeaders headers;
  EXPECT_THROW(headers.parse_line(" Foo"), HTTPInputError);
  EXPECT_TRUE(headers.empty());
}

TEST(HTTPHeadersTest, NamesAreNormalisedLikeTornado) {
  HTTPHeaders headers;
  headers.add("content-TYPE", "text/html");
  headers.add("WWW-Authenticate", "Basic");
  headers.add("x-xss-protection", "0");
  EXPECT_THAT(all(headers), ElementsAre(Pair("Content-Type", "text/html"),
                                        Pair("Www-Authenticate", "Basic"),
                                        Pair("X-Xss-Protection", "0")));
}

TEST(HTTPHeadersTest, LookupsAreCaseInsensitive) {
  const HTTPHeaders headers =
      HTTPHeaders::parse("Content-Length: 42\r\nConnection: close\r\n");
  EXPECT_TRUE(headers.contains("content-length"));
  EXPECT_TRUE(headers.contains("CONTENT-LENGTH"));
  EXPECT_FALSE(headers.contains("content-lengt"));
  EXPECT_FALSE(headers.contains("content-lengthx"));
  EXPECT_EQ(headers.get_first("connection"), "close");
  EXPECT_EQ(headers.get_first("Expect"), std::nullopt);
}

TEST(HTTPHeadersTest, GetAndIndexing) {
  const HTTPHeaders headers{{"A", "1"}, {"a", "2"}};
  EXPECT_EQ(headers.get("A"), "1,2");
  EXPECT_EQ(headers.get("B", "default"), "default");
  EXPECT_EQ(headers.get("B"), "");
  EXPECT_EQ(headers["a"], "1,2");
  EXPECT_THROW(headers["B"], std::out_of_range);
  EXPECT_TRUE(headers.get_list("B").empty());
}

TEST(HTTPHeadersTest, SetReplacesEveryValueAtTheFirstPosition) {
  HTTPHeaders headers{{"A", "1"}, {"B", "x"}, {"A", "2"}, {"C", "y"}};
  headers.set("a", "3");
  EXPECT_THAT(all(headers),
              ElementsAre(Pair("A", "3"), Pair("B", "x"), Pair("C", "y")));
  headers.set("D", "new");
  EXPECT_THAT(all(headers), ElementsAre(Pair("A", "3"), Pair("B", "x"),
                                        Pair("C", "y"), Pair("D", "new")));
}

TEST(HTTPHeadersTest, EraseRemovesEveryValue) {
  HTTPHeaders headers{{"A", "1"}, {"B", "x"}, {"A", "2"}};
  EXPECT_EQ(headers.erase("a"), 2u);
  EXPECT_EQ(headers.erase("a"), 0u);
  EXPECT_THAT(all(headers), ElementsAre(Pair("B", "x")));
  headers.clear();
  EXPECT_TRUE(headers.empty());
}

TEST(HTTPHeadersTest, MutatorsValidateNamesAndValues) {
  HTTPHeaders headers{{"Keep", "me"}};
  EXPECT_THROW(headers.add("Bad Name", "x"), HTTPInputError);
  EXPECT_THROW(headers.add("", "x"), HTTPInputError);
  EXPECT_THROW(headers.add("X", "a\r\nInjected: yes"), HTTPInputError);
  EXPECT_THROW(headers.set("X", "a\nb"), HTTPInputError);
  EXPECT_THROW(headers.set("X:", "a"), HTTPInputError);
  EXPECT_THAT(all(headers), ElementsAre(Pair("Keep", "me")));
}

TEST(HTTPHeadersTest, AddingAViewOfItselfIsSafe) {
  HTTPHeaders headers{{"A", std::string(100, 'v')}};
  for (int i = 0; i < 20; ++i) headers.add("A", *headers.get_first("a"));
  EXPECT_EQ(headers.count("A"), 21u);
  EXPECT_EQ(headers.get_list("A").back(), std::string(100, 'v'));
  headers.set(headers.field(0).name, headers.field(1).value);
  EXPECT_EQ(headers.size(), 1u);
  headers.parse_line(headers.to_string());
  EXPECT_EQ(headers.size(), 2u);
}

TEST(HTTPHeadersTest, RepeatedSetDoesNotGrowWithoutBound) {
  HTTPHeaders headers;
  for (int i = 0; i < 100000; ++i) headers.set("X-Counter", std::to_string(i));
  EXPECT_EQ(headers["x-counter"], "99999");
  EXPECT_LT(headers.storage_size(), 1024u);
  for (int i = 0; i < 100000; ++i) {
    headers.add("X-Tmp", "value");
    headers.erase("X-Tmp");
  }
  EXPECT_LT(headers.storage_size(), 1024u);
  EXPECT_EQ(headers.to_string(), "X-Counter: 99999\r\n");
}

TEST(HTTPHeadersTest, ToStringRoundTrips) {
  // Tornado's test_string.
  HTTPHeaders headers;
  headers.add("Foo", "1");
  headers.add("Foo", "2");
  headers.add("Foo", "3");
  EXPECT_EQ(headers.to_string(), "Foo: 1\r\nFoo: 2\r\nFoo: 3\r\n");
  EXPECT_EQ(HTTPHeaders::parse(headers.to_string()), headers);
}

TEST(HTTPHeadersTest, CopiesAreIndependent) {
  HTTPHeaders original = HTTPHeaders::parse("A: 1\r\nB: 2\r\n");
  HTTPHeaders copy = original;
  copy.add("C", "3");
  original.set("A", "changed");
  EXPECT_THAT(all(copy),
              ElementsAre(Pair("A", "1"), Pair("B", "2"), Pair("C", "3")));
  EXPECT_THAT(all(original), ElementsAre(Pair("A", "changed"), Pair("B", "2")));
}

TEST(HTTPHeadersTest, ParseIsTheSameAsParseLineByLine) {
  const std::string block = crlf("Host: x\nFoo: a\n b\n\tc\nBar: \nFoo: d\n");
  HTTPHeaders by_line;
  std::size_t pos = 0;
  while (pos < block.size()) {
    const std::size_t next = block.find('\n', pos) + 1;
    by_line.parse_line(std::string_view(block).substr(pos, next - pos));
    pos = next;
  }
  EXPECT_EQ(HTTPHeaders::parse(block), by_line);
}

TEST(HTTPHeadersTest, EveryPrefixParsesOrThrowsWithoutOverreading) {
  // Each prefix sits in an allocation of exactly its size: under
  // --config=asan a read past the view is a test failure.
  const std::string block =
      crlf("Host: example.com\nAccept: */*\nFoo: a\n b\nX-Empty:\n");
  for (std::size_t k = 0; k <= block.size(); ++k) {
    const testing::ExactBuffer prefix(std::string_view(block).substr(0, k));
    try {
      const HTTPHeaders headers = HTTPHeaders::parse(prefix.view());
      EXPECT_LE(headers.size(), 4u);
    } catch (const HTTPInputError&) {
      // A cut inside a name ("Hos") has no colon: fine.
    }
  }
}

TEST(HTTPHeadersTest, SplitBlocksParseAsTheirLinesJoined) {
  // Cutting the block at any line boundary and parsing both halves gives
  // the same fields as parsing it whole (continuations stay with their field).
  const std::string block = crlf("A: 1\nB: 2\nC: 3\n three\nD: 4\n");
  const HTTPHeaders whole = HTTPHeaders::parse(block);
  for (std::size_t k = 0; k <= block.size(); ++k) {
    if (k != 0 && k != block.size() && block[k - 1] != '\n') continue;
    if (k < block.size() && block[k] == ' ') continue;
    HTTPHeaders joined =
        HTTPHeaders::parse(std::string_view(block).substr(0, k));
    for (const HTTPHeaders::Field field :
         HTTPHeaders::parse(std::string_view(block).substr(k))) {
      joined.add(field.name, field.value);
    }
    EXPECT_EQ(joined, whole) << "split at " << k;
  }
}

TEST(HTTPHeadersTest, ManyFoldedLinesAreLinear) {
  // 200k continuation lines: quadratic re-copying would take minutes.
  std::string block = "X: start\r\n";
  for (int i = 0; i < 200000; ++i) block += " more\r\n";
  const HTTPHeaders headers = HTTPHeaders::parse(block);
  EXPECT_EQ(headers.get_first("x")->size(), 5u + 200000u * 5u);
}

}  // namespace
}  // namespace eddy
