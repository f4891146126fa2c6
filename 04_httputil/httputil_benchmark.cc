// Parsing request heads: eddy's parse_request_head side by side with
// nodejs/http-parser on the same bytes, in the same run. Not a test: run it
// with optimisation on and read the bytes_per_second column.
//
//   tools/bazel run -c opt //04_httputil:httputil_benchmark
//
// What each side produces, to keep the race fair:
// - eddy: a RequestStartLine (method, path, version as std::strings) and an
//   HTTPHeaders holding a copy of every name and value, validated per RFC
//   9110 and normalised; ready for case-insensitive lookups.
// - http-parser: the method and version as integers, and the spans (pointer,
//   length) of the URL and of every header name and value, recorded by the
//   callbacks into a reused vector. No copies; spans into the caller's buffer.
#include <benchmark/benchmark.h>
#include <http_parser.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "04_httputil/head.h"

namespace {

std::string browser_get() {
  return "GET /articles/2026/11/http-parsing.html?utm_source=feed HTTP/1.1\r\n"
         "Host: www.example.com\r\n"
         "Connection: keep-alive\r\n"
         "Cache-Control: max-age=0\r\n"
         "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
         "sec-ch-ua-mobile: ?0\r\n"
         "sec-ch-ua-platform: \"Linux\"\r\n"
         "Upgrade-Insecure-Requests: 1\r\n"
         "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
         "(KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36\r\n"
         "Accept: "
         "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
         "image/webp,image/apng,*/*;q=0.8\r\n"
         "Sec-Fetch-Site: none\r\n"
         "Accept-Encoding: gzip, deflate, br, zstd\r\n"
         "Accept-Language: en-GB,en;q=0.9,fr;q=0.8\r\n"
         "\r\n";
}

std::string api_post() {
  return "POST /api/v1/items HTTP/1.1\r\n"
         "Host: api.example.com\r\n"
         "Content-Type: application/json\r\n"
         "Content-Length: 27\r\n"
         "Authorization: Bearer "
         "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN\r\n"
         "\r\n";
}

std::string cookie_4k() {
  std::string cookie;
  for (int i = 0; cookie.size() < 4096; ++i) {
    if (i) cookie += "; ";
    cookie += "session_part_" + std::to_string(i) + "=" +
              std::string(48, 'a' + i % 26);
  }
  return "GET /dashboard HTTP/1.1\r\n"
         "Host: app.example.com\r\n"
         "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 "
         "Firefox/133.0\r\n"
         "Accept: */*\r\n"
         "Cookie: " +
         cookie +
         "\r\n"
         "\r\n";
}

// --- eddy
// ----------------------------------------------------------------------

void BM_Eddy(benchmark::State& state, std::string (*make_head)()) {
  const std::string head = make_head();
  for (auto _ : state) {
    eddy::RequestHead parsed = eddy::parse_request_head(head);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * head.size()));
}

// --- http-parser
// -----------------------------------------------------------------

struct Span {
  const char* data;
  size_t size;
};
struct Recorded {
  Span url{};
  std::vector<Span> names;
  std::vector<Span> values;
  bool complete = false;
};

int on_url(http_parser* parser, const char* at, size_t length) {
  static_cast<Recorded*>(parser->data)->url = Span{at, length};
  return 0;
}
int on_header_field(http_parser* parser, const char* at, size_t length) {
  static_cast<Recorded*>(parser->data)->names.push_back(Span{at, length});
  return 0;
}
int on_header_value(http_parser* parser, const char* at, size_t length) {
  static_cast<Recorded*>(parser->data)->values.push_back(Span{at, length});
  return 0;
}
int on_headers_complete(http_parser* parser) {
  static_cast<Recorded*>(parser->data)->complete = true;
  return 0;
}

void BM_HttpParser(benchmark::State& state, std::string (*make_head)()) {
  const std::string head = make_head();
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_url = on_url;
  settings.on_header_field = on_header_field;
  settings.on_header_value = on_header_value;
  settings.on_headers_complete = on_headers_complete;
  Recorded recorded;
  recorded.names.reserve(64);
  recorded.values.reserve(64);
  http_parser parser;
  for (auto _ : state) {
    recorded.names.clear();
    recorded.values.clear();
    recorded.complete = false;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = &recorded;
    const size_t parsed =
        http_parser_execute(&parser, &settings, head.data(), head.size());
    if (parsed != head.size() || !recorded.complete) {
      state.SkipWithError("http-parser rejected the head");
      break;
    }
    benchmark::DoNotOptimize(recorded);
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * head.size()));
}

// Both parsers must agree on the heads before their speed means anything.
void check_heads_agree() {
  for (auto make_head : {browser_get, api_post, cookie_4k}) {
    const std::string head = make_head();
    const eddy::RequestHead ours = eddy::parse_request_head(head);
    http_parser_settings settings;
    http_parser_settings_init(&settings);
    settings.on_url = on_url;
    settings.on_header_field = on_header_field;
    settings.on_header_value = on_header_value;
    settings.on_headers_complete = on_headers_complete;
    Recorded recorded;
    http_parser parser;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = &recorded;
    http_parser_execute(&parser, &settings, head.data(), head.size());
    bool same = recorded.complete &&
                recorded.names.size() == ours.headers.size() &&
                std::string_view(recorded.url.data, recorded.url.size) ==
                    ours.start_line.path;
    for (size_t i = 0; same && i < recorded.values.size(); ++i) {
      same =
          std::string_view(recorded.values[i].data, recorded.values[i].size) ==
          ours.headers.field(i).value;
    }
    if (!same) {
      std::fprintf(stderr, "eddy and http-parser disagree on a head\n");
      std::exit(1);
    }
  }
}

}  // namespace

BENCHMARK_CAPTURE(BM_Eddy, browser_get, browser_get);
BENCHMARK_CAPTURE(BM_HttpParser, browser_get, browser_get);
BENCHMARK_CAPTURE(BM_Eddy, api_post, api_post);
BENCHMARK_CAPTURE(BM_HttpParser, api_post, api_post);
BENCHMARK_CAPTURE(BM_Eddy, cookie_4k, cookie_4k);
BENCHMARK_CAPTURE(BM_HttpParser, cookie_4k, cookie_4k);

int main(int argc, char** argv) {
  check_heads_agree();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
