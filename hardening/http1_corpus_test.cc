// Replays every checked-in input of the HTTP1Connection fuzzer
// (corpus/http1/*: seeds and regressions) through the same harness the
// libFuzzer target runs, so each CI run re-checks the invariants on them.
// Also checks the reference framer the harness trusts, on named cases.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "hardening/fuzz/http1_fuzz.h"
#include "hardening/fuzz/reference_framing.h"

namespace eddy {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)),
                     std::istreambuf_iterator<char>());
}

TEST(HTTP1CorpusTest, EveryCorpusFileKeepsTheInvariants) {
  const fs::path root = "hardening/corpus/http1";  // runfiles-relative
  ASSERT_TRUE(fs::is_directory(root)) << fs::current_path();
  int files = 0;
  for (const fs::directory_entry& file : fs::directory_iterator(root)) {
    SCOPED_TRACE(file.path().string());
    EXPECT_EQ(fuzz::run_http1_input(read_file(file.path())), "");
    ++files;
  }
  EXPECT_GE(files, 20);
}

using fuzz::frame_requests;
using fuzz::ReferenceFraming;
using Rest = ReferenceFraming::Rest;

TEST(ReferenceFramingTest, PipelinedLengthAndChunkedRequests) {
  auto framing = frame_requests(
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
      "PUT /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nde\r\n0\r\n\r\n",
      1024, 100);
  ASSERT_EQ(framing.complete.size(), 3u);
  EXPECT_EQ(framing.complete[1].body, "abc");
  EXPECT_EQ(framing.complete[2].body, "de");
  EXPECT_EQ(framing.rest, Rest::kEmpty);
}

TEST(ReferenceFramingTest, IncompleteHeadAndBody) {
  EXPECT_EQ(frame_requests("GET / HTTP/1.1\r\nHo", 1024, 100).rest,
            Rest::kIncomplete);
  EXPECT_EQ(frame_requests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3"
                           "\r\n\r\nab",
                           1024, 100)
                .rest,
            Rest::kIncomplete);
}

TEST(ReferenceFramingTest, OutsideTheSubsetIsUnknown) {
  for (const char* input : {
           "GET / HTTP/1.1\nHost: a\n\n",  // bare LF
           "GET / HTTP/1.0\r\n\r\n",       // 1.0
           "GET / HTTP/1.1\r\n\r\n",       // no Host
           "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n",
           "XGET / HTTP/1.1\r\nHost: a\r\n\r\n",
       }) {
    SCOPED_TRACE(input);
    auto framing = frame_requests(input, 1024, 100);
    EXPECT_TRUE(framing.complete.empty());
    EXPECT_EQ(framing.rest, Rest::kUnknown);
  }
}

TEST(ReferenceFramingTest, HeadOverTheLimitIsUnknown) {
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";  // 27 bytes
  EXPECT_EQ(frame_requests(head, head.size(), 0).complete.size(), 1u);
  EXPECT_EQ(frame_requests(head, head.size() - 1, 0).rest, Rest::kUnknown);
}

}  // namespace
}  // namespace eddy
