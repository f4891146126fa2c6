// Replays every checked-in fuzz corpus file (corpus/<target>/*) through the
// same entry function the libFuzzer target calls, so each CI run covers the
// seeds and every regression input the fuzzers ever found.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "04_httputil/fuzz/fuzz_entries.h"

namespace eddy {
namespace {

namespace fs = std::filesystem;
using Entry = void (*)(std::string_view);

const std::map<std::string, Entry>& entries() {
  static const std::map<std::string, Entry> kEntries = {
      {"headers", &fuzz::headers_entry},
      {"start_line", &fuzz::start_line_entry},
      {"parse_qs", &fuzz::parse_qs_entry},
      {"multipart", &fuzz::multipart_entry},
  };
  return kEntries;
}

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)),
                     std::istreambuf_iterator<char>());
}

TEST(CorpusReplayTest, EveryTargetHasACorpusAndEveryFileRuns) {
  const fs::path root = "04_httputil/corpus";  // relative to the runfiles root
  ASSERT_TRUE(fs::is_directory(root)) << fs::current_path();
  std::map<std::string, int> files_per_target;
  for (const fs::directory_entry& dir : fs::directory_iterator(root)) {
    const std::string target = dir.path().filename();
    const auto entry = entries().find(target);
    ASSERT_NE(entry, entries().end())
        << "corpus directory without a fuzz target: " << target;
    for (const fs::directory_entry& file : fs::directory_iterator(dir.path())) {
      SCOPED_TRACE(file.path().string());
      entry->second(read_file(file.path()));  // aborts on a broken invariant
      ++files_per_target[target];
    }
  }
  for (const auto& [target, entry] : entries()) {
    EXPECT_GT(files_per_target[target], 0) << "no corpus files for " << target;
  }
}

}  // namespace
}  // namespace eddy
