#include "04_httputil/headers.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "04_httputil/chars.h"

namespace eddy {
namespace {

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

// The value of the last field must stay contiguous, so the first append
// copies it to the end of storage_; later appends to the same field find it
// there and extend it in place (no quadratic re-copying of a long fold).
void HTTPHeaders::append_to_last_value(std::string_view bytes) {
  if (fields_.empty()) {
    throw std::logic_error("HTTPHeaders::append_to_last_value: no field");
  }
  if (aliases(bytes)) {
    const std::string copy(bytes);
    append_to_last_value(copy);
    return;
  }
  Span& last = fields_.back();
  const bool at_end =
      last.value_offset + std::size_t{last.value_size} == storage_.size();
  const std::size_t extra = (at_end ? 0 : last.value_size) + bytes.size();
  if (storage_.size() + extra > kMaxStorage)
    throw HTTPInputError("Header block too large");
  if (!at_end) {
    storage_.reserve(storage_.size() + extra);  // no reallocation below
    const std::size_t new_offset = storage_.size();
    storage_.append(storage_, last.value_offset, last.value_size);
    last.value_offset = static_cast<std::uint32_t>(new_offset);
  }
  storage_.append(bytes);
  last.value_size = static_cast<std::uint32_t>(last.value_size + bytes.size());
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
  chars::normalize_name(storage_.data() + name_offset, name.size());
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
