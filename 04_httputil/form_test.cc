// parse_body_arguments, parse_multipart_form_data and parse_header: Tornado's
// MultipartFormDataTest and _parse_header cases, plus the error paths.
#include "04_httputil/form.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "04_httputil/header_params.h"
#include "04_httputil/test_util.h"

namespace eddy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

std::string crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// Runs parse_multipart_form_data and returns what it logged on stderr.
struct Parsed {
  ArgumentMap arguments;
  FileMap files;
  std::size_t skipped = 0;
  std::string log;
};
Parsed parse_multipart(std::string_view boundary, std::string_view data) {
  Parsed parsed;
  ::testing::internal::CaptureStderr();
  try {
    parsed.skipped = parse_multipart_form_data(boundary, data, parsed.arguments,
                                               parsed.files);
  } catch (...) {
    // End the capture even when the parser throws (a bug, or lab 04's
    // starter): gtest aborts the whole binary if the next test starts a
    // capture while this one is still open.
    std::fputs(::testing::internal::GetCapturedStderr().c_str(), stderr);
    throw;
  }
  parsed.log = ::testing::internal::GetCapturedStderr();
  return parsed;
}

TEST(MultipartFormDataTest, FileUpload) {
  const Parsed parsed =
      parse_multipart("1234", crlf("--1234\n"
                                   "Content-Disposition: form-data; "
                                   "name=\"files\"; filename=\"ab.txt\"\n"
                                   "\n"
                                   "Foo\n"
                                   "--1234--"));
  ASSERT_EQ(parsed.files.count("files"), 1u);
  const HTTPFile& file = parsed.files.at("files").at(0);
  EXPECT_EQ(file.filename, "ab.txt");
  EXPECT_EQ(file.body, "Foo");
  EXPECT_EQ(file.content_type, "application/unknown");
  EXPECT_EQ(parsed.skipped, 0u);
  EXPECT_EQ(parsed.log, "");
}

TEST(MultipartFormDataTest, UnquotedNames) {
  // Quotes are optional unless special characters are present.
  const Parsed parsed = parse_multipart(
      "1234",
      crlf("--1234\n"
           "Content-Disposition: form-data; name=files; filename=ab.txt\n"
           "\n"
           "Foo\n"
           "--1234--"));
  EXPECT_EQ(parsed.files.at("files").at(0).filename, "ab.txt");
}

TEST(MultipartFormDataTest, SpecialFilenames) {
  // Tornado's test_special_filenames: quoted with backslash escapes.
  for (const std::string filename :
       {"a;b.txt", "a\"b.txt", "a\";b.txt", "a;\"b.txt", "a\";\";.txt",
        "a\\\"b.txt", "a\\b.txt"}) {
    SCOPED_TRACE(filename);
    std::string escaped;
    for (char c : filename) {
      if (c == '\\' || c == '"') escaped += '\\';
      escaped += c;
    }
    const Parsed parsed = parse_multipart(
        "1234",
        crlf("--1234\n"
             "Content-Disposition: form-data; name=\"files\"; filename=\"" +
             escaped +
             "\"\n"
             "\n"
             "Foo\n"
             "--1234--"));
    ASSERT_EQ(parsed.files.count("files"), 1u);
    EXPECT_EQ(parsed.files.at("files").at(0).filename, filename);
    EXPECT_EQ(parsed.files.at("files").at(0).body, "Foo");
  }
}

TEST(MultipartFormDataTest, NonAsciiFilenameRfc2231) {
  const Parsed parsed =
      parse_multipart("1234", crlf("--1234\n"
                                   "Content-Disposition: form-data; "
                                   "name=\"files\"; filename=\"ab.txt\"; "
                                   "filename*=UTF-8''%C3%A1b.txt\n"
                                   "\n"
                                   "Foo\n"
                                   "--1234--"));
  EXPECT_EQ(parsed.files.at("files").at(0).filename,
            "\xc3\xa1"
            "b.txt");
}

TEST(MultipartFormDataTest, RawUtf8Filename) {
  const Parsed parsed =
      parse_multipart("1234", crlf("--1234\n"
                                   "Content-Disposition: form-data; "
                                   "name=\"f\"; filename=\"\xe6\x97\xa5.txt\"\n"
                                   "Content-Type: text/plain\n"
                                   "\n"
                                   "x\n"
                                   "--1234--"));
  EXPECT_EQ(parsed.files.at("f").at(0).filename, "\xe6\x97\xa5.txt");
  EXPECT_EQ(parsed.files.at("f").at(0).content_type, "text/plain");
}

TEST(MultipartFormDataTest, BoundaryStartsAndEndsWithQuotes) {
  const Parsed parsed =
      parse_multipart("\"1234\"", crlf("--1234\n"
                                       "Content-Disposition: form-data; "
                                       "name=\"files\"; filename=\"ab.txt\"\n"
                                       "\n"
                                       "Foo\n"
                                       "--1234--"));
  EXPECT_EQ(parsed.files.at("files").at(0).filename, "ab.txt");
}

TEST(MultipartFormDataTest, OddBoundaries) {
  const std::string long_boundary(70, 'b');
  for (const char* boundary_text :
       {"----WebKitFormBoundary7MA4YWxkTrZu0gW", "a", "'()+_,-./:=?",
        "with space", long_boundary.c_str(), "--", "1234--"}) {
    const std::string boundary(boundary_text);
    SCOPED_TRACE(boundary);
    const std::string body =
        "--" + boundary +
        "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--1\r\n"
        "--" +
        boundary +
        "\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n\r\n"
        "--" +
        boundary + "--\r\n";
    const Parsed parsed = parse_multipart(boundary, body);
    EXPECT_THAT(parsed.arguments, ElementsAre(Pair("a", ElementsAre("--1")),
                                              Pair("b", ElementsAre(""))));
    EXPECT_EQ(parsed.skipped, 0u);
  }
}

TEST(MultipartFormDataTest, InvalidBoundariesThrow) {
  ArgumentMap arguments;
  FileMap files;
  for (const std::string& boundary :
       {std::string(), std::string("\"\""), std::string(71, 'b'),
        std::string("trailing "), std::string("semi;colon"),
        std::string("new\nline"), std::string("caf\xc3\xa9")}) {
    SCOPED_TRACE(boundary);
    EXPECT_THROW(parse_multipart_form_data(boundary, "--x--", arguments, files),
                 HTTPInputError);
  }
}

TEST(MultipartFormDataTest, ArgumentsAndFilesTogether) {
  const std::string binary("\x00\x01\r\n",
                           4);  // a NUL and a CRLF inside the file
  const Parsed parsed = parse_multipart(
      "b",
      crlf("--b\n"
           "Content-Disposition: form-data; name=\"field\"\n"
           "\n"
           "value one\n"
           "--b\n"
           "Content-Disposition: form-data; name=\"field\"\n"
           "\n"
           "two\n"
           "--b\n"
           "Content-Disposition: form-data; name=\"up\"; filename=\"1.bin\"\n"
           "Content-Type: application/octet-stream\n"
           "\n") +
          binary + "\r\n--b--\r\n");
  EXPECT_THAT(parsed.arguments,
              ElementsAre(Pair("field", ElementsAre("value one", "two"))));
  EXPECT_EQ(parsed.files.at("up").at(0).body, binary);
  EXPECT_EQ(parsed.files.at("up").at(0).content_type,
            "application/octet-stream");
}

TEST(MultipartFormDataTest, DataAfterFinalBoundaryIsIgnored) {
  const Parsed parsed =
      parse_multipart("1234", crlf("--1234\n"
                                   "Content-Disposition: form-data; "
                                   "name=\"files\"; filename=\"ab.txt\"\n"
                                   "\n"
                                   "Foo\n"
                                   "--1234--\n"
                                   "epilogue\n"));
  EXPECT_EQ(parsed.files.at("files").at(0).body, "Foo");
}

TEST(MultipartFormDataTest, MissingFinalBoundaryIsLoggedAndSkipped) {
  const Parsed parsed =
      parse_multipart("1234", crlf("--1234\n"
                                   "Content-Disposition: form-data; "
                                   "name=\"files\"; filename=\"ab.txt\"\n"
                                   "\n"
                                   "Foo\n"
                                   "--1234\n"));
  EXPECT_THAT(parsed.files, IsEmpty());
  EXPECT_EQ(parsed.skipped, 1u);
  EXPECT_THAT(parsed.log,
              HasSubstr("Invalid multipart/form-data: no final boundary"));
}

TEST(MultipartFormDataTest, MissingHeadersIsLoggedAndSkipped) {
  const Parsed parsed = parse_multipart("1234", crlf("--1234\n"
                                                     "\n"
                                                     "Foo\n"
                                                     "--1234--"));
  EXPECT_THAT(parsed.files, IsEmpty());
  EXPECT_THAT(parsed.log, HasSubstr("multipart/form-data missing headers"));
}

TEST(MultipartFormDataTest, InvalidContentDispositionIsLoggedAndSkipped) {
  const Parsed parsed = parse_multipart(
      "1234",
      crlf("--1234\n"
           "Content-Disposition: invalid; name=\"files\"; filename=\"ab.txt\"\n"
           "\n"
           "Foo\n"
           "--1234--"));
  EXPECT_THAT(parsed.files, IsEmpty());
  EXPECT_THAT(parsed.log, HasSubstr("Invalid multipart/form-data"));
}

TEST(MultipartFormDataTest, PartWithoutContentDispositionIsLoggedAndSkipped) {
  const Parsed parsed = parse_multipart(
      "1234", crlf("--1234\n"
                   "Content-Type: text/plain\n"
                   "\n"
                   "Foo\n"
                   "--1234\n"
                   "Content-Disposition: form-data; name=\"ok\"\n"
                   "\n"
                   "kept\n"
                   "--1234--"));
  EXPECT_THAT(parsed.arguments, ElementsAre(Pair("ok", ElementsAre("kept"))));
  EXPECT_EQ(parsed.skipped, 1u);
  EXPECT_THAT(parsed.log, HasSubstr("Invalid multipart/form-data"));
}

TEST(MultipartFormDataTest, LineDoesNotEndWithCorrectLineBreak) {
  const Parsed parsed =
      parse_multipart("1234", crlf("--1234\n"
                                   "Content-Disposition: form-data; "
                                   "name=\"files\"; filename=\"ab.txt\"\n"
                                   "\n"
                                   "Foo--1234--"));
  EXPECT_THAT(parsed.files, IsEmpty());
  EXPECT_THAT(parsed.log, HasSubstr("Invalid multipart/form-data"));
}

TEST(MultipartFormDataTest, ContentDispositionWithoutNameIsLoggedAndSkipped) {
  const Parsed parsed = parse_multipart(
      "1234", crlf("--1234\n"
                   "Content-Disposition: form-data; filename=\"ab.txt\"\n"
                   "\n"
                   "Foo\n"
                   "--1234--"));
  EXPECT_THAT(parsed.files, IsEmpty());
  EXPECT_THAT(parsed.log, HasSubstr("multipart/form-data value missing name"));
}

TEST(MultipartFormDataTest, ManyBadPartsLogOneLine) {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "--1234\r\n\r\nFoo\r\n";
  body += "--1234--";
  const Parsed parsed = parse_multipart("1234", body);
  EXPECT_EQ(parsed.skipped, 1000u);
  EXPECT_THAT(parsed.log, HasSubstr("(1000 parts skipped)"));
  EXPECT_EQ(std::count(parsed.log.begin(), parsed.log.end(), '\n'), 1);
}

TEST(MultipartFormDataTest, MalformedPartHeadersThrow) {
  ArgumentMap arguments;
  FileMap files;
  EXPECT_THROW(parse_multipart_form_data(
                   "1234", crlf("--1234\nNo colon here\n\nFoo\n--1234--"),
                   arguments, files),
               HTTPInputError);
}

TEST(MultipartFormDataTest, EveryPrefixWithoutOverreading) {
  const std::string body = crlf(
      "--1234\n"
      "Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''x%C3%A1\n"
      "\n"
      "Foo\n"
      "--1234--\n");
  for (std::size_t k = 0; k <= body.size(); ++k) {
    const testing::ExactBuffer prefix(std::string_view(body).substr(0, k));
    Parsed parsed = parse_multipart("1234", prefix.view());
    if (k >= body.size() - 2) {
      EXPECT_EQ(parsed.files.at("a").at(0).filename, "x\xc3\xa1") << k;
    } else {
      EXPECT_THAT(parsed.files, IsEmpty()) << k;
    }
  }
}

TEST(ParseBodyArgumentsTest, UrlEncoded) {
  ArgumentMap arguments{{"q", {"from query"}}};
  FileMap files;
  parse_body_arguments("application/x-www-form-urlencoded; charset=UTF-8",
                       "foo=bar&foo=baz&blank=&q=body", arguments, files);
  EXPECT_THAT(arguments,
              ElementsAre(Pair("blank", ElementsAre("")),
                          Pair("foo", ElementsAre("bar", "baz")),
                          Pair("q", ElementsAre("from query", "body"))));
  EXPECT_THAT(files, IsEmpty());
}

TEST(ParseBodyArgumentsTest, MediaTypeIsCaseInsensitive) {
  ArgumentMap arguments;
  FileMap files;
  parse_body_arguments("Application/X-WWW-Form-Urlencoded", "a=1", arguments,
                       files);
  EXPECT_THAT(arguments, ElementsAre(Pair("a", ElementsAre("1"))));
}

TEST(ParseBodyArgumentsTest, Multipart) {
  ArgumentMap arguments;
  FileMap files;
  parse_body_arguments(
      "multipart/form-data; boundary=\"--x y\"",
      crlf("----x y\nContent-Disposition: form-data; name=a\n\n1\n----x y--\n"),
      arguments, files);
  EXPECT_THAT(arguments, ElementsAre(Pair("a", ElementsAre("1"))));
}

TEST(ParseBodyArgumentsTest, OtherContentTypesAreIgnored) {
  ArgumentMap arguments;
  FileMap files;
  parse_body_arguments("application/json", "{\"a\": 1}", arguments, files);
  parse_body_arguments("", "a=1", arguments, files);
  EXPECT_THAT(arguments, IsEmpty());
}

TEST(ParseBodyArgumentsTest, Errors) {
  ArgumentMap arguments;
  FileMap files;
  const HTTPHeaders gzip{{"Content-Encoding", "gzip"}};
  EXPECT_THROW(parse_body_arguments("application/x-www-form-urlencoded", "a=1",
                                    arguments, files, &gzip),
               HTTPInputError);
  EXPECT_THROW(parse_body_arguments("multipart/form-data; boundary=1", "",
                                    arguments, files, &gzip),
               HTTPInputError);
  EXPECT_THROW(
      parse_body_arguments("multipart/form-data", "", arguments, files),
      HTTPInputError);
  EXPECT_THROW(parse_body_arguments("multipart/form-data; boundary=", "",
                                    arguments, files),
               HTTPInputError);
  EXPECT_THROW(parse_body_arguments("multipart/form-data; boundary=a\x01", "",
                                    arguments, files),
               HTTPInputError);
  EXPECT_THAT(arguments, IsEmpty());
}

TEST(ParseHeaderTest, ValueAndParameters) {
  const HeaderWithParams parsed =
      parse_header("form-data; Name=\"files\"; filename=ab.txt; junk");
  EXPECT_EQ(parsed.value, "form-data");
  EXPECT_THAT(parsed.params,
              ElementsAre(Pair("filename", "ab.txt"), Pair("name", "files")));
}

TEST(ParseHeaderTest, QuotedSemicolonsDoNotSplit) {
  const HeaderWithParams parsed =
      parse_header("attachment; filename=\"a;b\"; x=\"c\\\";d\"");
  EXPECT_THAT(parsed.params,
              ElementsAre(Pair("filename", "a;b"), Pair("x", "c\";d")));
}

TEST(ParseHeaderTest, Rfc2231Continuations) {
  // RFC 2231 §3-4: sections are joined in numeric order, '*' ones decoded.
  const HeaderWithParams parsed = parse_header(
      "attachment; filename*1*=%20world.txt; "
      "filename*0*=UTF-8'en'hello%E2%98%83; "
      "title*0=\"plain \"; title*1=text");
  EXPECT_EQ(parsed.params.at("filename"), "hello\xe2\x98\x83 world.txt");
  EXPECT_EQ(parsed.params.at("title"), "plain text");
}

TEST(ParseHeaderTest, Rfc2231Charsets) {
  EXPECT_EQ(parse_header("a; f*=iso-8859-1''%E9t%E9").params.at("f"),
            "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(parse_header("a; f*=us-ascii''%E9x").params.at("f"),
            "\xef\xbf\xbdx");
  EXPECT_EQ(parse_header("a; f*=''%E9x").params.at("f"), "\xef\xbf\xbdx");
  EXPECT_EQ(parse_header("a; f*=%41%42").params.at("f"), "AB");
}

TEST(ParseHeaderTest, ExtendedOverridesPlainWhicheverComesFirst) {
  EXPECT_EQ(parse_header("a; filename*=UTF-8''x.txt; filename=\"y.txt\"")
                .params.at("filename"),
            "x.txt");
}

TEST(ParseHeaderTest, OddInputs) {
  EXPECT_EQ(parse_header("").value, "");
  EXPECT_EQ(parse_header(";;;").value, "");
  EXPECT_EQ(
      parse_header("  text/html  ; charset = utf-8 ").params.at("charset"),
      "utf-8");
  EXPECT_EQ(parse_header("a; b=\"unterminated; c=d").params.at("b"),
            "\"unterminated; c=d");
  EXPECT_EQ(parse_header("a; q=\"\\\"x\\\"\"").params.at("q"),
            "x");  // Tornado strips twice
}

TEST(ParseHeaderTest, ManyQuotesAreLinear) {
  // cgi._parseparam recounts quotes before every ';': quadratic. Ours is one
  // scan.
  std::string line = "a; b=\"";
  for (int i = 0; i < 200000; ++i) line += ";\\\"";
  line += "\"";
  EXPECT_EQ(parse_header(line).value, "a");
}

}  // namespace
}  // namespace eddy
