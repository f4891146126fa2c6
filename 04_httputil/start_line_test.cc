// Start lines and heads: Tornado's ParseRequestStartLineTest and
// parse_response_start_line cases, plus a named table of malformed lines.
#include "04_httputil/start_line.h"

#include <gtest/gtest.h>

#include <string>

#include "04_httputil/head.h"
#include "04_httputil/test_util.h"

namespace eddy {
namespace {

TEST(ParseRequestStartLineTest, SplitsMethodPathVersion) {
  // Tornado's test_parse_request_start_line.
  const RequestStartLine line = parse_request_start_line("GET /foo HTTP/1.1");
  EXPECT_EQ(line.method, "GET");
  EXPECT_EQ(line.path, "/foo");
  EXPECT_EQ(line.version, "HTTP/1.1");
  EXPECT_EQ(to_string(line), "GET /foo HTTP/1.1");
}

TEST(ParseRequestStartLineTest, AcceptsEveryTargetForm) {
  EXPECT_EQ(parse_request_start_line("OPTIONS * HTTP/1.1").path, "*");
  EXPECT_EQ(parse_request_start_line("CONNECT example.com:443 HTTP/1.1").path,
            "example.com:443");
  EXPECT_EQ(
      parse_request_start_line("GET http://a.example/x?y=1#z HTTP/1.0").path,
      "http://a.example/x?y=1#z");
  EXPECT_EQ(parse_request_start_line("PURGE /%E2%98%83 HTTP/1.1").method,
            "PURGE");
  // obs-text in the target is tolerated (RFC 3986 forbids it; nginx takes it).
  EXPECT_EQ(parse_request_start_line("GET /caf\xc3\xa9 HTTP/1.1").path,
            "/caf\xc3\xa9");
}

TEST(ParseRequestStartLineTest, AnyDigitVersionParses) {
  // Whether HTTP/2.0 over this wire format earns a 505 is chapter 05's call.
  EXPECT_EQ(parse_request_start_line("GET / HTTP/1.0").version, "HTTP/1.0");
  EXPECT_EQ(parse_request_start_line("GET / HTTP/2.0").version, "HTTP/2.0");
}

struct BadStartLine {
  const char* name;
  std::string text;
};

class MalformedRequestLineTest : public ::testing::TestWithParam<BadStartLine> {
};

TEST_P(MalformedRequestLineTest, Throws) {
  const testing::ExactBuffer line(GetParam().text);
  EXPECT_THROW(parse_request_start_line(line.view()), HTTPInputError);
}

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedRequestLineTest,
    ::testing::Values(BadStartLine{"Empty", ""},
                      BadStartLine{"MethodOnly", "GET"},
                      BadStartLine{"NoVersion", "GET /"},
                      BadStartLine{"TrailingSpace", "GET / HTTP/1.1 "},
                      BadStartLine{"LeadingSpace", " GET / HTTP/1.1"},
                      BadStartLine{"DoubleSpace", "GET  / HTTP/1.1"},
                      BadStartLine{"TabSeparator", "GET\t/ HTTP/1.1"},
                      BadStartLine{"SpaceInTarget", "GET /a b HTTP/1.1"},
                      BadStartLine{"EmptyMethod", " / HTTP/1.1"},
                      BadStartLine{"MethodWithSlash", "GE/T / HTTP/1.1"},
                      BadStartLine{"MethodWithColon", "GET: / HTTP/1.1"},
                      BadStartLine{"MethodNonAscii", "G\xc3\x89T / HTTP/1.1"},
                      BadStartLine{"NulInTarget",
                                   std::string("GET /\0 HTTP/1.1", 15)},
                      BadStartLine{"ControlInTarget", "GET /\x01 HTTP/1.1"},
                      BadStartLine{"DelInTarget", "GET /\x7f HTTP/1.1"},
                      BadStartLine{"CrInLine", "GET / HTTP/1.1\r"},
                      BadStartLine{"LowercaseVersion", "GET / http/1.1"},
                      BadStartLine{"VersionMissingMinor", "GET / HTTP/1"},
                      BadStartLine{"VersionTwoDigits", "GET / HTTP/10.1"},
                      BadStartLine{"VersionLetters", "GET / HTTP/a.b"},
                      BadStartLine{"VersionTrailingJunk", "GET / HTTP/1.1x"},
                      BadStartLine{"VersionComma", "GET / HTTP/1,1"},
                      BadStartLine{"NotHttp", "GET / FTP/1.1"},
                      BadStartLine{"Http09", "GET /index.html"},
                      BadStartLine{"ResponseLine", "HTTP/1.1 200 OK"}),
    [](const ::testing::TestParamInfo<BadStartLine>& info) {
      return info.param.name;
    });

TEST(ParseRequestStartLineTest, ErrorQuotesTruncatedLine) {
  try {
    parse_request_start_line("GET /" + std::string(1000, 'a') + " HTTP/9");
    FAIL() << "no exception";
  } catch (const HTTPInputError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("Malformed HTTP version"), std::string::npos) << what;
    EXPECT_NE(what.find("'GET /aaaa"), std::string::npos) << what;
    EXPECT_LT(what.size(), 150u);
  }
}

TEST(ParseResponseStartLineTest, SplitsVersionCodeReason) {
  const ResponseStartLine line = parse_response_start_line("HTTP/1.1 200 OK");
  EXPECT_EQ(line, (ResponseStartLine{"HTTP/1.1", 200, "OK"}));
  EXPECT_EQ(parse_response_start_line("HTTP/1.0 404 Not Found").reason,
            "Not Found");
  EXPECT_EQ(parse_response_start_line("HTTP/1.1 599 \tWeird  reason ").reason,
            "\tWeird  reason ");
  EXPECT_EQ(parse_response_start_line("HTTP/1.1 204 ").reason, "");
  EXPECT_EQ(to_string(ResponseStartLine{"HTTP/1.1", 304, "Not Modified"}),
            "HTTP/1.1 304 Not Modified");
}

class MalformedStatusLineTest : public ::testing::TestWithParam<BadStartLine> {
};

TEST_P(MalformedStatusLineTest, Throws) {
  const testing::ExactBuffer line(GetParam().text);
  EXPECT_THROW(parse_response_start_line(line.view()), HTTPInputError);
}

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedStatusLineTest,
    ::testing::Values(BadStartLine{"Empty", ""},
                      BadStartLine{"VersionOnly", "HTTP/1.1"},
                      BadStartLine{"NoReasonSeparator", "HTTP/1.1 200"},
                      BadStartLine{"TwoDigitCode", "HTTP/1.1 20 OK"},
                      BadStartLine{"FourDigitCode", "HTTP/1.1 2000 OK"},
                      BadStartLine{"CodeBelow100", "HTTP/1.1 099 Odd"},
                      BadStartLine{"LetterCode", "HTTP/1.1 2x0 OK"},
                      BadStartLine{"DoubleSpace", "HTTP/1.1  200 OK"},
                      BadStartLine{"BadVersion", "HTTP/1 200 OK"},
                      BadStartLine{"LowercaseVersion", "http/1.1 200 OK"},
                      BadStartLine{"ControlInReason", "HTTP/1.1 200 O\x01K"},
                      BadStartLine{"CrInReason", "HTTP/1.1 200 OK\r"},
                      BadStartLine{"RequestLine", "GET / HTTP/1.1"}),
    [](const ::testing::TestParamInfo<BadStartLine>& info) {
      return info.param.name;
    });

TEST(HeadTest, SplitsStartLineFromHeaders) {
  const RequestHead head = parse_request_head(
      "POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n");
  EXPECT_EQ(head.start_line, (RequestStartLine{"POST", "/submit", "HTTP/1.1"}));
  EXPECT_EQ(head.headers.get_first("content-length"), "3");
  EXPECT_EQ(head.headers.size(), 2u);
}

TEST(HeadTest, SkipsLeadingEmptyLinesAndAcceptsBareLf) {
  const RequestHead head =
      parse_request_head("\r\n\nGET / HTTP/1.0\nHost: a\n\n");
  EXPECT_EQ(head.start_line.method, "GET");
  EXPECT_EQ(head.headers.get_first("host"), "a");
}

TEST(HeadTest, StartLineAlone) {
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.1").headers.empty());
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.1\r\n\r\n").headers.empty());
  const ResponseHead response =
      parse_response_head("HTTP/1.1 200 OK\r\nServer: eddy\r\n\r\n");
  EXPECT_EQ(response.start_line.code, 200);
  EXPECT_EQ(response.headers.get_first("server"), "eddy");
}

TEST(HeadTest, Errors) {
  EXPECT_THROW(parse_request_head(""), HTTPInputError);
  EXPECT_THROW(parse_request_head("\r\n\r\n"), HTTPInputError);
  EXPECT_THROW(parse_request_head("GET / HTTP/1.1\r\n Folded: first\r\n"),
               HTTPInputError);
  EXPECT_THROW(parse_request_head("GET / HTTP/1.1\r\nNo colon\r\n"),
               HTTPInputError);
  EXPECT_THROW(parse_response_head("\n"), HTTPInputError);
}

TEST(HeadTest, SplitHead) {
  EXPECT_EQ(split_head("A\r\nB").start_line, "A");
  EXPECT_EQ(split_head("A\r\nB").header_block, "B");
  EXPECT_EQ(split_head("\r\n\r\nA").start_line, "A");
  EXPECT_EQ(split_head("A").header_block, "");
  EXPECT_EQ(split_head("").start_line, "");
  EXPECT_EQ(split_head("\r").start_line, "\r");  // not an empty line: no LF
}

TEST(HeadTest, EveryPrefixOfAHeadParsesOrThrowsWithoutOverreading) {
  const std::string head =
      "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: "
      "*/*\r\n\r\n";
  const std::size_t start_line_end = head.find("\r\n");
  for (std::size_t k = 0; k <= head.size(); ++k) {
    const testing::ExactBuffer prefix(std::string_view(head).substr(0, k));
    try {
      const RequestHead parsed = parse_request_head(prefix.view());
      EXPECT_GE(k, start_line_end) << "accepted a truncated start line";
      EXPECT_EQ(parsed.start_line.path, "/index.html?q=1");
    } catch (const HTTPInputError&) {
      EXPECT_LT(k, head.size()) << "rejected the whole head";
    }
  }
}

}  // namespace
}  // namespace eddy
