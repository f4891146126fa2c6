// Internal to 04_httputil: the bodies of the libFuzzer targets, kept apart
// from LLVMFuzzerTestOneInput so that corpus_replay_test can run every corpus
// file through exactly the same code in a normal (gcc, no libFuzzer) build.
//
// Each entry feeds `data` to parsers and checks properties that must hold
// for every input: an HTTPInputError is an accepted outcome, any other
// exception, a sanitizer report, or a broken invariant (reported by
// fuzz_check, which prints and aborts) is a finding.
#ifndef EDDY_04_HTTPUTIL_FUZZ_FUZZ_ENTRIES_H_
#define EDDY_04_HTTPUTIL_FUZZ_FUZZ_ENTRIES_H_

#include <string_view>

namespace eddy::fuzz {

// HTTPHeaders::parse and parse_line; parse(to_string()) round trip.
void headers_entry(std::string_view data);
// parse_request_start_line, parse_response_start_line, parse_request_head;
// an accepted start line prints back to exactly the input.
void start_line_entry(std::string_view data);
// parse_qs_bytes/parse_qsl_bytes, url_unescape(url_escape(x)) == x,
// url_concat, split_host_and_port.
void parse_qs_entry(std::string_view data);
// parse_body_arguments with the first line as Content-Type and the rest as
// body; parse_multipart_form_data with boundary "1234"; parse_header.
void multipart_entry(std::string_view data);

}  // namespace eddy::fuzz

#endif  // EDDY_04_HTTPUTIL_FUZZ_FUZZ_ENTRIES_H_
