#include "04_httputil/form.h"

#include <string>

#include "01_ioloop/log.h"
#include "04_httputil/chars.h"
#include "04_httputil/header_params.h"

namespace eddy {
namespace {

constexpr std::size_t kMaxBoundary = 70;  // RFC 2046 §5.1.1

// RFC 2046 bchars: DIGIT / ALPHA / "'()+_,-./:=?" / SP, not ending in SP.
bool is_valid_boundary(std::string_view boundary) {
  if (boundary.empty() || boundary.size() > kMaxBoundary ||
      boundary.back() == ' ') {
    return false;
  }
  for (char c : boundary) {
    const bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
        (c >= 'A' && c <= 'Z') ||
        std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Remembers why parts were skipped and logs once, at the end of a body.
class SkipLog {
 public:
  void skip(const char* reason) {
    if (count_++ == 0) first_reason_ = reason;
  }
  std::size_t count() const { return count_; }
  ~SkipLog() {
    if (count_ == 0) return;
    std::string message(first_reason_);
    if (count_ > 1)
      message += " (" + std::to_string(count_) + " parts skipped)";
    log_warning(message);
  }

 private:
  std::size_t count_ = 0;
  const char* first_reason_ = "";
};

// DOC: multipart-part. One part: headers, CRLFCRLF, value, CRLF.
void parse_part(std::string_view part, ArgumentMap& arguments, FileMap& files,
                SkipLog& skipped) {
  const std::size_t eoh = part.find("\r\n\r\n");
  if (eoh == std::string_view::npos) {
    skipped.skip("multipart/form-data missing headers");
    return;
  }
  const HTTPHeaders headers = HTTPHeaders::parse(part.substr(0, eoh));
  const HeaderWithParams disposition =
      parse_header(headers.get_first("Content-Disposition").value_or(""));
  if (!chars::iequals(disposition.value, "form-data") ||
      !part.ends_with("\r\n")) {
    skipped.skip("Invalid multipart/form-data");
    return;
  }
  const std::size_t value_begin = eoh + 4;
  const std::size_t value_end = part.size() - 2;
  const std::string_view value =
      value_end > value_begin
          ? part.substr(value_begin, value_end - value_begin)
          : std::string_view();
  const auto name = disposition.params.find("name");
  if (name == disposition.params.end() || name->second.empty()) {
    skipped.skip("multipart/form-data value missing name");
    return;
  }
  const auto filename = disposition.params.find("filename");
  if (filename != disposition.params.end() && !filename->second.empty()) {
    files[name->second].push_back(
        HTTPFile{filename->second, std::string(value),
                 headers.get("Content-Type", "application/unknown")});
  } else {
    arguments[name->second].emplace_back(value);
  }
}

}  // namespace

std::size_t parse_multipart_form_data(std::string_view boundary,
                                      std::string_view data,
                                      ArgumentMap& arguments, FileMap& files) {
  if (boundary.size() >= 2 && boundary.front() == '"' &&
      boundary.back() == '"') {
    boundary = boundary.substr(1, boundary.size() - 2);
  }
  if (!is_valid_boundary(boundary)) {
    throw HTTPInputError("Invalid multipart/form-data boundary " +
                         quote_for_error(boundary));
  }
  SkipLog skipped;
  const std::string final_boundary = "--" + std::string(boundary) + "--";
  const std::size_t final_index = data.rfind(final_boundary);
  if (final_index == std::string_view::npos) {
    skipped.skip("Invalid multipart/form-data: no final boundary");
    return skipped.count();
  }
  // DOC: multipart-split. Everything before the final boundary, split on
  // "--boundary\r\n"; the (usually empty) preamble is the first piece.
  const std::string delimiter = "--" + std::string(boundary) + "\r\n";
  const std::string_view body = data.substr(0, final_index);
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t next = body.find(delimiter, pos);
    if (next == std::string_view::npos) next = body.size();
    const std::string_view part = body.substr(pos, next - pos);
    if (!part.empty()) parse_part(part, arguments, files, skipped);
    pos = next + delimiter.size();
  }
  return skipped.count();
}

void parse_body_arguments(std::string_view content_type, std::string_view body,
                          ArgumentMap& arguments, FileMap& files,
                          const HTTPHeaders* headers) {
  const bool urlencoded =
      chars::istarts_with(content_type, "application/x-www-form-urlencoded");
  const bool multipart =
      chars::istarts_with(content_type, "multipart/form-data");
  if (!urlencoded && !multipart) return;
  if (headers != nullptr) {
    if (const auto encoding = headers->get_first("Content-Encoding")) {
      throw HTTPInputError("Unsupported Content-Encoding: " +
                           quote_for_error(*encoding));
    }
  }
  if (urlencoded) {
    for (auto& [name, values] :
         parse_qs_bytes(body, /*keep_blank_values=*/true)) {
      auto& target = arguments[name];
      target.insert(target.end(), std::make_move_iterator(values.begin()),
                    std::make_move_iterator(values.end()));
    }
    return;
  }
  const HeaderWithParams type = parse_header(content_type);
  const auto boundary = type.params.find("boundary");
  if (boundary == type.params.end() || boundary->second.empty()) {
    throw HTTPInputError("multipart boundary not found");
  }
  parse_multipart_form_data(boundary->second, body, arguments, files);
}

}  // namespace eddy
