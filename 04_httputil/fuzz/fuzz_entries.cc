#include "04_httputil/fuzz/fuzz_entries.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "04_httputil/httputil.h"

namespace eddy::fuzz {
namespace {

void fuzz_check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                       (c >= 'A' && c <= 'Z');
    if (!alnum &&
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) ==
            std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool has_control(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

void check_headers(const HTTPHeaders& headers) {
  for (const HTTPHeaders::Field field : headers.get_all()) {
    fuzz_check(is_token(field.name), "header name is a token");
    fuzz_check(!has_control(field.value),
               "header value has no control characters");
    fuzz_check(field.value.empty() ||
                   (field.value.front() != ' ' && field.value.front() != '\t' &&
                    field.value.back() != ' ' && field.value.back() != '\t'),
               "header value is stripped");
    fuzz_check(headers.contains(field.name), "every name is found");
    fuzz_check(headers.get_list(field.name).size() == headers.count(field.name),
               "get_list agrees with count");
  }
  fuzz_check(HTTPHeaders::parse(headers.to_string()) == headers,
             "parse(to_string()) round trip");
}

}  // namespace

void headers_entry(std::string_view data) {
  bool parse_ok = true;
  HTTPHeaders parsed;
  try {
    parsed = HTTPHeaders::parse(data);
    check_headers(parsed);
  } catch (const HTTPInputError&) {
    parse_ok = false;
  }
  // Line by line through parse_line must agree with parse().
  bool lines_ok = true;
  HTTPHeaders by_line;
  try {
    std::size_t pos = 0;
    while (pos < data.size()) {
      const std::size_t newline = data.find('\n', pos);
      const std::size_t next =
          newline == std::string_view::npos ? data.size() : newline + 1;
      by_line.parse_line(data.substr(pos, next - pos));
      pos = next;
    }
  } catch (const HTTPInputError&) {
    lines_ok = false;
  }
  fuzz_check(parse_ok == lines_ok, "parse and parse_line agree on errors");
  if (parse_ok)
    fuzz_check(parsed == by_line, "parse and parse_line agree on fields");
  try {
    const RequestHead head = parse_request_head(data);
    check_headers(head.headers);
  } catch (const HTTPInputError&) {
  }
}

void start_line_entry(std::string_view data) {
  try {
    const RequestStartLine line = parse_request_start_line(data);
    fuzz_check(to_string(line) == data,
               "request line prints back to the input");
    fuzz_check(is_token(line.method), "method is a token");
  } catch (const HTTPInputError&) {
  }
  try {
    const ResponseStartLine line = parse_response_start_line(data);
    fuzz_check(to_string(line) == data, "status line prints back to the input");
    fuzz_check(line.code >= 100 && line.code <= 999,
               "status code has three digits");
  } catch (const HTTPInputError&) {
  }
  try {
    parse_request_head(data);
  } catch (const HTTPInputError&) {
  }
  try {
    parse_response_head(data);
  } catch (const HTTPInputError&) {
  }
}

void parse_qs_entry(std::string_view data) {
  for (const bool keep_blank : {false, true}) {
    const ArgumentMap arguments = parse_qs_bytes(data, keep_blank);
    std::size_t values = 0;
    for (const auto& [name, list] : arguments) {
      fuzz_check(!list.empty(), "a key has at least one value");
      for (const std::string& value : list) {
        fuzz_check(keep_blank || !value.empty(), "blank values dropped");
        fuzz_check(value.size() <= data.size(),
                   "a value is no longer than the input");
      }
      values += list.size();
    }
    fuzz_check(values == parse_qsl_bytes(data, keep_blank).size(),
               "qs and qsl agree");
    try {
      parse_qs_bytes(data, keep_blank, /*strict_parsing=*/true);
    } catch (const HTTPInputError&) {
    }
  }
  fuzz_check(url_unescape(url_escape(data)) == data,
             "unescape(escape(x)) == x (plus)");
  fuzz_check(url_unescape(url_escape(data, false), false) == data,
             "unescape(escape(x)) == x");
  const std::string concatenated = url_concat(data, {{"k", "v w"}});
  fuzz_check(concatenated.find("k=v+w") != std::string::npos,
             "url_concat appends its args");
  try {
    const HostAndPort split = split_host_and_port(data);
    fuzz_check(!split.port || (*split.port >= 0 && *split.port <= 65535),
               "port in range");
  } catch (const HTTPInputError&) {
  }
}

void multipart_entry(std::string_view data) {
  const std::size_t newline = data.find('\n');
  const std::string_view content_type = data.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos
                                    ? std::string_view()
                                    : data.substr(newline + 1);
  parse_header(content_type);
  ArgumentMap arguments;
  FileMap files;
  try {
    parse_body_arguments(content_type, body, arguments, files);
  } catch (const HTTPInputError&) {
  }
  try {
    parse_multipart_form_data("1234", data, arguments, files);
  } catch (const HTTPInputError&) {
  }
  for (const auto& [name, list] : files) {
    fuzz_check(!name.empty(), "file field has a name");
    for (const HTTPFile& file : list) {
      fuzz_check(!file.filename.empty(), "file has a filename");
      fuzz_check(file.body.size() <= data.size(), "file body within the input");
    }
  }
  for (const auto& [name, list] : arguments) {
    for (const std::string& value : list) {
      fuzz_check(value.size() <= data.size(), "argument within the input");
    }
  }
}

}  // namespace eddy::fuzz
