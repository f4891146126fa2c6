// HTTPHeaders: Tornado's tornado.httputil.HTTPHeaders, a case-insensitive,
// multi-valued, insertion-ordered map of header fields.
//
// Contract
// - Names are stored normalised the way Tornado does it ("content-TYPE" is
//   kept as "Content-Type": each dash-separated word capitalised) and looked
//   up case-insensitively. A name must be an RFC 9110 token; a value must not
//   contain control characters other than HTAB. Both are checked by every
//   mutator; a violation throws HTTPInputError (errors.h) and leaves the
//   object unchanged.
// - Repeated names keep every value in arrival order: get_list() returns them
//   all, get()/operator[] join them with "," exactly like Tornado.
// - Lookups (contains, count, get_first, get_list) never allocate a string;
//   they scan a small vector comparing lengths first. A request has a dozen
//   fields, where a linear scan beats any hash table.
// - Views returned by get_first, get_list and the iterators point into the
//   object and stay valid until the next mutation (add, set, erase,
//   parse_line) or destruction.
// - Thread-safety: like a std::vector; concurrent const calls are safe, a
//   mutation needs exclusive access.
//
// Data layout: all names and values live in one string, storage_; fields_
// holds offsets into it. parse() copies the header block into storage_ once
// and normalises names in place, so parsing a head costs one string
// allocation and one vector allocation, not two strings per field.
//
//   storage_: "Host: example.com\r\nAccept: */*\r\n..."
//              ^--^  ^---------^     ^----^  ^-^
//   fields_:  {0,4,  6,11}          {19,6,  27,3}   (name_offset, name_size,
//                                                    value_offset, value_size)
//
// An obs-fold continuation appends the joined value at the end of storage_
// (once per field; later continuations of the same field extend it in place).
#ifndef EDDY_04_HTTPUTIL_HEADERS_H_
#define EDDY_04_HTTPUTIL_HEADERS_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "04_httputil/errors.h"

namespace eddy {

class HTTPHeaders {
 public:
  // One header field; the views point into the HTTPHeaders.
  struct Field {
    std::string_view name;
    std::string_view value;
    friend bool operator==(const Field&, const Field&) = default;
  };

  HTTPHeaders() = default;
  // HTTPHeaders{{"Content-Type", "text/html"}, {"Set-Cookie", "a=1"}}: add()s
  // each pair in order.
  HTTPHeaders(
      std::initializer_list<std::pair<std::string_view, std::string_view>>
          fields);

  // The header parser: parse() and parse_line() are lab 04's piece, defined
  // in head_parser.cc (production) or lab/head_parser.cc (--config=lab04).
  //
  // Tornado's HTTPHeaders.parse (2.4.1: parse_line on each of
  // splitlines()): parses a header block (the lines after the start line).
  // Lines end in CRLF or a bare LF; a CR not followed by LF stays in the line
  // (and so is rejected as a control character). Each line goes through the
  // rules of parse_line(). Throws HTTPInputError at the first bad line.
  // Linear in text.size(); never reads past text.
  static HTTPHeaders parse(std::string_view text);

  // Tornado's HTTPHeaders.parse_line: adds one line. A trailing LF or CRLF is
  // ignored; an empty line adds nothing. Then either
  // - obs-fold (RFC 9112 §5.2): a line starting with SP or HTAB continues
  //   the most recently added field. It is stripped of SP/HTAB and appended
  //   to that value after one SP (no SP when the value is empty; a blank
  //   continuation adds nothing). With no field to continue it is an error.
  // - a field line `field-name ":" OWS field-value OWS` (RFC 9112 §5): the
  //   name must be a token (chars::is_tchar), directly followed by the colon
  //   (whitespace before the colon is an error, RFC 9112 §5.1); the value is
  //   stripped of SP/HTAB and may hold no control character but HTAB
  //   (chars::is_field_value). The field is added as add() does (name
  //   normalised, after any fields of the same name).
  // Throws HTTPInputError, quoting the line with quote_for_error, for a line
  // without a colon, an empty name, a non-token byte or whitespace in the
  // name, a control character in the value or continuation, or a
  // continuation with nothing to continue; the object is then unchanged.
  void parse_line(std::string_view line);

  // Tornado's add: appends a field, keeping any existing ones of that name.
  void add(std::string_view name, std::string_view value);
  // Tornado's __setitem__: replaces every field of that name by one field,
  // kept at the position of the first one (appended if there was none).
  void set(std::string_view name, std::string_view value);
  // Tornado's __delitem__: removes every field of that name; returns how
  // many were removed (0 is not an error, unlike Python's KeyError).
  std::size_t erase(std::string_view name);
  void clear();

  bool contains(std::string_view name) const { return find(name) != kNotFound; }
  std::size_t count(std::string_view name) const;
  // The first value of `name`, without allocating; chapter 05's fast path
  // for Content-Length, Transfer-Encoding, Connection, Host and Expect.
  std::optional<std::string_view> get_first(std::string_view name) const;
  // Tornado's get_list: every value of `name` in arrival order.
  std::vector<std::string_view> get_list(std::string_view name) const;
  // Tornado's get: the values joined with "," or `default_value` if absent.
  std::string get(std::string_view name,
                  std::string_view default_value = {}) const;
  // Tornado's __getitem__: as get(), but throws std::out_of_range (Python's
  // KeyError) when absent.
  std::string operator[](std::string_view name) const;

  // Tornado's get_all: every (name, value) pair in order, one per value.
  class Iterator;
  Iterator begin() const;
  Iterator end() const;
  const HTTPHeaders& get_all() const { return *this; }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  Field field(std::size_t index) const;
  // Bytes held for names and values, live and dead (set/erase leave dead
  // bytes until a compaction); for tests and memory accounting.
  std::size_t storage_size() const { return storage_.size(); }

  // Tornado's __str__: "Name: value\r\n" per field, in order; the block a
  // response writes after its status line (without the final empty line).
  std::string to_string() const;

  // Equal when they hold the same fields in the same order.
  friend bool operator==(const HTTPHeaders& a, const HTTPHeaders& b);

 private:
  struct Span {
    std::uint32_t name_offset;
    std::uint32_t name_size;
    std::uint32_t value_offset;
    std::uint32_t value_size;
  };
  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);
  // The limit of the 32-bit offsets: storage_ never grows past 4 GiB.
  static constexpr std::size_t kMaxStorage =
      std::numeric_limits<std::uint32_t>::max();

  std::size_t find(std::string_view name) const;
  std::string_view name_at(const Span& span) const {
    return std::string_view(storage_).substr(span.name_offset, span.name_size);
  }
  std::string_view value_at(const Span& span) const {
    return std::string_view(storage_).substr(span.value_offset,
                                             span.value_size);
  }
  // Appends bytes to storage_ and returns their offset; throws
  // HTTPInputError past 4 GiB, the limit of the 32-bit offsets.
  std::uint32_t append_storage(std::string_view bytes);
  Span append_field_storage(std::string_view name, std::string_view value);
  // parse_line's obs-fold joining, for both versions of the head parser
  // (head_parser.cc and lab 04's): appends `bytes` to the value of the most
  // recently added field, in time linear in bytes.size() (amortised), however
  // many times it is called. It does not validate `bytes` (the caller has);
  // throws std::logic_error if there is no field, HTTPInputError past 4 GiB.
  void append_to_last_value(std::string_view bytes);
  // The production parser's own helpers (head_parser.cc): adds the line
  // [begin, end) of storage_, which already holds it (no terminator), and
  // joins an obs-fold line to the last field. Lab 04's parser needs neither.
  void parse_stored_line(std::size_t begin, std::size_t end);
  void continue_last_field(std::string_view line);
  // True when `bytes` points into storage_ (a mutator then copies it first).
  bool aliases(std::string_view bytes) const;
  void compact_if_wasteful();

  std::string storage_;
  std::vector<Span> fields_;
};

class HTTPHeaders::Iterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = Field;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = Field;

  Iterator() = default;
  Field operator*() const { return headers_->field(index_); }
  Iterator& operator++() {
    ++index_;
    return *this;
  }
  Iterator operator++(int) {
    Iterator old = *this;
    ++index_;
    return old;
  }
  friend bool operator==(const Iterator& a, const Iterator& b) {
    return a.index_ == b.index_;
  }

 private:
  friend class HTTPHeaders;
  Iterator(const HTTPHeaders* headers, std::size_t index)
      : headers_(headers), index_(index) {}
  const HTTPHeaders* headers_ = nullptr;
  std::size_t index_ = 0;
};

inline HTTPHeaders::Iterator HTTPHeaders::begin() const {
  return Iterator(this, 0);
}
inline HTTPHeaders::Iterator HTTPHeaders::end() const {
  return Iterator(this, fields_.size());
}
inline HTTPHeaders::Field HTTPHeaders::field(std::size_t index) const {
  const Span& span = fields_[index];
  return Field{name_at(span), value_at(span)};
}

}  // namespace eddy

#endif  // EDDY_04_HTTPUTIL_HEADERS_H_
