#include "04_httputil/headers.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>

#include "04_httputil/chars.h"

namespace eddy {
namespace {

constexpr std::size_t kMaxStorage = std::numeric_limits<std::uint32_t>::max();

// Tornado's _normalize_header, in place: "content-TYPE" -> "Content-Type".
void normalize_name(char* name, std::size_t size) {
  bool word_start = true;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = name[i];
    name[i] = word_start ? chars::ascii_upper(c) : chars::ascii_lower(c);
    word_start = (c == '-');
  }
}

void check_name(std::string_view name) {
  if (!chars::is_token(name)) {
    throw HTTPInputError("Invalid header name " + quote_for_error(name));
  }
}

void check_value(std::string_view value) {
  if (!chars::is_field_value(value)) {
    throw HTTPInputError("Invalid header value " + quote_for_error(value));
  }
}

}  // namespace

HTTPHeaders::HTTPHeaders(
    std::initializer_list<std::pair<std::string_view, std::string_view>>
        fields) {
  for (const auto& [name, value] : fields) add(name, value);
}

// DOC: headers-parse. One pass: memchr finds each line end, then
// parse_stored_line scans the line once. Every byte is looked at a constant
// number of times, so the whole block is parsed in linear time.
HTTPHeaders HTTPHeaders::parse(std::string_view text) {
  if (text.size() > kMaxStorage) throw HTTPInputError("Header block too large");
  HTTPHeaders headers;
  headers.storage_.assign(text);
  headers.fields_.reserve(16);
  const char* data = text.data();
  const std::size_t size = text.size();
  std::size_t pos = 0;
  while (pos < size) {
    const void* newline = std::memchr(data + pos, '\n', size - pos);
    std::size_t end = newline ? static_cast<const char*>(newline) - data : size;
    const std::size_t next = newline ? end + 1 : size;
    if (newline && end > pos && data[end - 1] == '\r') --end;
    if (end > pos) {
      if (chars::is_ows(data[pos])) {
        headers.continue_last_field(text.substr(pos, end - pos));
      } else {
        headers.parse_stored_line(pos, end);
      }
    }
    pos = next;
  }
  return headers;
}

void HTTPHeaders::parse_line(std::string_view line) {
  if (aliases(line)) {
    const std::string copy(line);
    parse_line(copy);
    return;
  }
  if (!line.empty() && line.back() == '\n') {
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }
  if (line.empty()) return;
  if (chars::is_ows(line.front())) {
    continue_last_field(line);
    return;
  }
  const std::size_t old_size = storage_.size();
  const std::size_t begin = append_storage(line);
  try {
    parse_stored_line(begin, begin + line.size());
  } catch (...) {
    storage_.resize(old_size);
    throw;
  }
}

// DOC: headers-parse-line. `name ":" OWS value OWS`. The name is scanned with
// the token table until the first non-token byte, which must be the colon:
// this both finds the colon and validates the name (RFC 9112 §5.1 forbids
// whitespace before the colon; Tornado would accept "Host : x").
void HTTPHeaders::parse_stored_line(std::size_t begin, std::size_t end) {
  char* data = storage_.data();
  const std::string_view line(data + begin, end - begin);
  std::size_t colon = begin;
  while (colon < end && chars::is_tchar(data[colon])) ++colon;
  if (colon == end) {
    throw HTTPInputError("No colon in header line " + quote_for_error(line));
  }
  if (data[colon] != ':') {
    if (chars::is_ows(data[colon])) {
      throw HTTPInputError("Whitespace before colon in header line " +
                           quote_for_error(line));
    }
    throw HTTPInputError("Invalid character in header name " +
                         quote_for_error(line));
  }
  if (colon == begin)
    throw HTTPInputError("Empty header name " + quote_for_error(line));
  std::size_t value_begin = colon + 1;
  std::size_t value_end = end;
  while (value_begin < value_end && chars::is_ows(data[value_begin]))
    ++value_begin;
  while (value_end > value_begin && chars::is_ows(data[value_end - 1]))
    --value_end;
  if (!chars::is_field_value(
          std::string_view(data + value_begin, value_end - value_begin))) {
    throw HTTPInputError("Invalid header value " + quote_for_error(line));
  }
  normalize_name(data + begin, colon - begin);
  fields_.push_back(Span{static_cast<std::uint32_t>(begin),
                         static_cast<std::uint32_t>(colon - begin),
                         static_cast<std::uint32_t>(value_begin),
                         static_cast<std::uint32_t>(value_end - value_begin)});
}

// DOC: headers-obs-fold. RFC 9112 §5.2: a recipient may replace each obs-fold
// by SP. The joined value must be contiguous, so the first continuation of a
// field copies its value to the end of storage_; later continuations of the
// same field find it there and just append (no quadratic re-copying).
void HTTPHeaders::continue_last_field(std::string_view line) {
  if (fields_.empty()) {
    throw HTTPInputError("First header line cannot start with whitespace " +
                         quote_for_error(line));
  }
  check_value(line);
  const std::string_view part = chars::strip_ows(line);
  if (part.empty()) return;
  Span& last = fields_.back();
  // Folding onto an empty value ("Name:" then " text") must not produce a
  // leading space: values are always stripped (found by headers_fuzzer).
  const std::size_t space = last.value_size == 0 ? 0 : 1;
  const bool at_end =
      last.value_offset + std::size_t{last.value_size} == storage_.size();
  const std::size_t extra =
      (at_end ? 0 : last.value_size) + space + part.size();
  if (storage_.size() + extra > kMaxStorage)
    throw HTTPInputError("Header block too large");
  storage_.reserve(storage_.size() + extra);  // no reallocation below
  if (!at_end) {
    const std::size_t new_offset = storage_.size();
    storage_.append(storage_, last.value_offset, last.value_size);
    last.value_offset = static_cast<std::uint32_t>(new_offset);
  }
  if (space) storage_.push_back(' ');
  storage_.append(part);
  last.value_size =
      static_cast<std::uint32_t>(last.value_size + space + part.size());
}

bool HTTPHeaders::aliases(std::string_view bytes) const {
  const std::less<const char*> before;
  const char* first = storage_.data();
  const char* last = first + storage_.size();
  return !bytes.empty() && !before(bytes.data(), first) &&
         before(bytes.data(), last);
}

std::uint32_t HTTPHeaders::append_storage(std::string_view bytes) {
  if (storage_.size() + bytes.size() > kMaxStorage) {
    throw HTTPInputError("Header block too large");
  }
  const std::size_t offset = storage_.size();
  storage_.append(bytes);
  return static_cast<std::uint32_t>(offset);
}

HTTPHeaders::Span HTTPHeaders::append_field_storage(std::string_view name,
                                                    std::string_view value) {
  const std::uint32_t name_offset = append_storage(name);
  normalize_name(storage_.data() + name_offset, name.size());
  const std::uint32_t value_offset = append_storage(value);
  return Span{name_offset, static_cast<std::uint32_t>(name.size()),
              value_offset, static_cast<std::uint32_t>(value.size())};
}

void HTTPHeaders::add(std::string_view name, std::string_view value) {
  if (aliases(name) || aliases(value)) {
    const std::string name_copy(name), value_copy(value);
    add(name_copy, value_copy);
    return;
  }
  check_name(name);
  check_value(value);
  fields_.push_back(append_field_storage(name, value));
}

void HTTPHeaders::set(std::string_view name, std::string_view value) {
  if (aliases(name) || aliases(value)) {
    const std::string name_copy(name), value_copy(value);
    set(name_copy, value_copy);
    return;
  }
  check_name(name);
  check_value(value);
  const std::size_t first = find(name);
  if (first == kNotFound) {
    fields_.push_back(append_field_storage(name, value));
    return;
  }
  fields_[first] = append_field_storage(name, value);
  auto rest = fields_.begin() + static_cast<std::ptrdiff_t>(first) + 1;
  fields_.erase(std::remove_if(rest, fields_.end(),
                               [&](const Span& span) {
                                 return chars::iequals(name_at(span), name);
                               }),
                fields_.end());
  compact_if_wasteful();
}

std::size_t HTTPHeaders::erase(std::string_view name) {
  const std::size_t before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Span& span) {
                                 return chars::iequals(name_at(span), name);
                               }),
                fields_.end());
  const std::size_t removed = before - fields_.size();
  if (removed) compact_if_wasteful();
  return removed;
}

void HTTPHeaders::clear() {
  storage_.clear();
  fields_.clear();
}

// set() and erase() leave dead bytes in storage_. Rebuilding once they
// outweigh the live bytes keeps a long-lived object (a response whose
// headers are set again and again) from growing without bound, at amortised
// constant cost per mutation.
void HTTPHeaders::compact_if_wasteful() {
  std::size_t live = 0;
  for (const Span& span : fields_) live += span.name_size + span.value_size;
  if (storage_.size() <= 2 * live + 256) return;
  std::string compacted;
  compacted.reserve(live);
  for (Span& span : fields_) {
    const std::size_t name_offset = compacted.size();
    compacted.append(name_at(span));
    const std::size_t value_offset = compacted.size();
    compacted.append(value_at(span));
    span.name_offset = static_cast<std::uint32_t>(name_offset);
    span.value_offset = static_cast<std::uint32_t>(value_offset);
  }
  storage_.swap(compacted);
}

std::size_t HTTPHeaders::find(std::string_view name) const {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (chars::iequals(name_at(fields_[i]), name)) return i;
  }
  return kNotFound;
}

std::size_t HTTPHeaders::count(std::string_view name) const {
  std::size_t n = 0;
  for (const Span& span : fields_) n += chars::iequals(name_at(span), name);
  return n;
}

std::optional<std::string_view> HTTPHeaders::get_first(
    std::string_view name) const {
  const std::size_t index = find(name);
  if (index == kNotFound) return std::nullopt;
  return value_at(fields_[index]);
}

std::vector<std::string_view> HTTPHeaders::get_list(
    std::string_view name) const {
  std::vector<std::string_view> values;
  for (const Span& span : fields_) {
    if (chars::iequals(name_at(span), name)) values.push_back(value_at(span));
  }
  return values;
}

std::string HTTPHeaders::get(std::string_view name,
                             std::string_view default_value) const {
  std::string joined;
  bool found = false;
  for (const Span& span : fields_) {
    if (!chars::iequals(name_at(span), name)) continue;
    if (found) joined.push_back(',');
    joined.append(value_at(span));
    found = true;
  }
  return found ? joined : std::string(default_value);
}

std::string HTTPHeaders::operator[](std::string_view name) const {
  if (!contains(name)) {
    throw std::out_of_range("No header " + quote_for_error(name));
  }
  return get(name);
}

std::string HTTPHeaders::to_string() const {
  std::size_t size = 0;
  for (const Span& span : fields_) size += span.name_size + span.value_size + 4;
  std::string out;
  out.reserve(size);
  for (const Span& span : fields_) {
    out.append(name_at(span));
    out.append(": ");
    out.append(value_at(span));
    out.append("\r\n");
  }
  return out;
}

bool operator==(const HTTPHeaders& a, const HTTPHeaders& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a.field(i) != b.field(i)) return false;
  }
  return true;
}

}  // namespace eddy
