// RawResponseScanner as a table: each case is fed whole, byte by byte, and
// split in two at every offset; what it keeps must be the same every way.
#include "05_httpserver/raw_response.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eddy {
namespace {

struct RawCase {
  const char* name;
  bool head_request;
  std::string bytes;
  std::string kept;  // What goes on the wire.
  uint16_t status;
  bool final_head_seen;
};

const std::string kTutorial =
    "HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\nYou requested /abc\n";
const std::string kTutorialHead =
    "HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\n";

const std::vector<RawCase> kCases = {
    {"get_passes_everything", false, kTutorial, kTutorial, 200, true},
    {"head_drops_the_body", true, kTutorial, kTutorialHead, 200, true},
    {"no_content_drops_the_body", false, "HTTP/1.1 204 No Content\r\n\r\nbody",
     "HTTP/1.1 204 No Content\r\n\r\n", 204, true},
    {"not_modified_drops_the_body", false,
     "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\nbody",
     "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", 304, true},
    {"bare_line_feeds_end_a_head", true,
     "HTTP/1.1 200 OK\nContent-Length: 4\n\nbody",
     "HTTP/1.1 200 OK\nContent-Length: 4\n\n", 200, true},
    {"no_reason_phrase", true, "HTTP/1.1 200\r\n\r\nbody",
     "HTTP/1.1 200\r\n\r\n", 200, true},
    {"interim_then_final_for_head", true,
     "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + kTutorial,
     "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + kTutorialHead, 200,
     true},
    {"interim_then_no_content", false,
     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nx",
     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", 204, true},
    {"only_an_interim_head", false, "HTTP/1.1 102 Processing\r\n\r\n",
     "HTTP/1.1 102 Processing\r\n\r\n", 0, false},
    {"incomplete_head", true, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n",
     "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n", 0, false},
    {"a_body_makes_the_status_line_enough", false,
     "HTTP/1.1 200 OK\r\nContent-Le", "HTTP/1.1 200 OK\r\nContent-Le", 200,
     true},
    {"part_of_a_status_line", false, "HTTP/1.1 20", "HTTP/1.1 20", 0, false},
    {"switching_protocols_is_final", false,
     "HTTP/1.1 101 Switching Protocols\r\n\r\nframes",
     "HTTP/1.1 101 Switching Protocols\r\n\r\nframes", 101, true},
    {"opaque_bytes_pass", true, "hello world\r\n\r\nmore",
     "hello world\r\n\r\nmore", 0, true},
    {"malformed_code_is_opaque", true, "HTTP/1.1 2x0 OK\r\n\r\nbody",
     "HTTP/1.1 2x0 OK\r\n\r\nbody", 0, true},
    {"cr_inside_a_line_does_not_end_the_head", true,
     "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\nbody",
     "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", 200, true},
};

class RawResponseTest : public ::testing::TestWithParam<RawCase> {};

std::string feed(RawResponseScanner& scanner, const std::string& piece) {
  return piece.substr(0, scanner.scan(piece));
}

TEST_P(RawResponseTest, Whole) {
  const RawCase& c = GetParam();
  RawResponseScanner scanner;
  scanner.start(c.head_request);
  EXPECT_EQ(feed(scanner, c.bytes), c.kept);
  EXPECT_EQ(scanner.status(), c.status);
  EXPECT_EQ(scanner.final_head_seen(), c.final_head_seen);
}

TEST_P(RawResponseTest, ByteByByte) {
  const RawCase& c = GetParam();
  RawResponseScanner scanner;
  scanner.start(c.head_request);
  std::string kept;
  for (char byte : c.bytes) kept += feed(scanner, std::string(1, byte));
  EXPECT_EQ(kept, c.kept);
  EXPECT_EQ(scanner.status(), c.status);
  EXPECT_EQ(scanner.final_head_seen(), c.final_head_seen);
}

TEST_P(RawResponseTest, SplitInTwoAtEveryOffset) {
  const RawCase& c = GetParam();
  for (size_t split = 0; split <= c.bytes.size(); ++split) {
    RawResponseScanner scanner;
    scanner.start(c.head_request);
    std::string kept = feed(scanner, c.bytes.substr(0, split));
    kept += feed(scanner, c.bytes.substr(split));
    EXPECT_EQ(kept, c.kept) << "split at " << split;
    EXPECT_EQ(scanner.status(), c.status) << "split at " << split;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, RawResponseTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) {
                           return std::string(info.param.name);
                         });

TEST(RawResponseScannerTest, StartForgetsThePreviousResponse) {
  RawResponseScanner scanner;
  scanner.start(true);
  EXPECT_EQ(scanner.scan(kTutorial), kTutorialHead.size());
  scanner.start(false);
  EXPECT_FALSE(scanner.final_head_seen());
  EXPECT_EQ(scanner.status(), 0);
  EXPECT_EQ(scanner.scan(kTutorial), kTutorial.size());
}

}  // namespace
}  // namespace eddy
