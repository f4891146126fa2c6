// Reference solution of exercise 04.2 (04_httputil/exercises/http_date.h).
//
// A cursor reads fixed-width fields left to right; each format is a short
// sequence of reads, and the first format that consumes the whole text wins.
#include "04_httputil/exercises/http_date.h"

#include <array>

namespace eddy::exercises {

namespace {

constexpr std::array<std::string_view, 7> kShortDays = {
    "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday",  "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonths = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return text_.empty(); }

  bool literal(std::string_view s) {
    if (text_.substr(0, s.size()) != s) return false;
    text_.remove_prefix(s.size());
    return true;
  }
  template <size_t N>
  bool one_of(const std::array<std::string_view, N>& names, int* index) {
    for (size_t i = 0; i < N; ++i) {
      if (literal(names[i])) {
        if (index) *index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }
  // Exactly `width` decimal digits.
  bool digits(size_t width, int* value) {
    if (text_.size() < width) return false;
    int v = 0;
    for (size_t i = 0; i < width; ++i) {
      char c = text_[i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    text_.remove_prefix(width);
    *value = v;
    return true;
  }
  // asctime's day: " 6" or "16" (never "06").
  bool space_padded_day(int* value) {
    if (literal(" ")) return digits(1, value) && *value != 0;
    return !text_.starts_with('0') && digits(2, value);
  }
  bool time_of_day(Fields* f) {
    return digits(2, &f->hour) && literal(":") && digits(2, &f->minute) &&
           literal(":") && digits(2, &f->second);
  }

 private:
  std::string_view text_;
};

bool month_name(Cursor& c, Fields* f) {
  int index;
  if (!c.one_of(kMonths, &index)) return false;
  f->month = index + 1;
  return true;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool parse_imf_fixdate(std::string_view text, Fields* f) {
  Cursor c(text);
  return c.one_of(kShortDays, nullptr) && c.literal(", ") &&
         c.digits(2, &f->day) && c.literal(" ") && month_name(c, f) &&
         c.literal(" ") && c.digits(4, &f->year) && c.literal(" ") &&
         c.time_of_day(f) && c.literal(" GMT") && c.done();
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
bool parse_rfc850(std::string_view text, Fields* f) {
  Cursor c(text);
  int yy;
  if (!(c.one_of(kLongDays, nullptr) && c.literal(", ") &&
        c.digits(2, &f->day) && c.literal("-") && month_name(c, f) &&
        c.literal("-") && c.digits(2, &yy) && c.literal(" ") &&
        c.time_of_day(f) && c.literal(" GMT") && c.done()))
    return false;
  f->year = yy >= 70 ? 1900 + yy : 2000 + yy;
  return true;
}

// "Sun Nov  6 08:49:37 1994"
bool parse_asctime(std::string_view text, Fields* f) {
  Cursor c(text);
  return c.one_of(kShortDays, nullptr) && c.literal(" ") && month_name(c, f) &&
         c.literal(" ") && c.space_padded_day(&f->day) && c.literal(" ") &&
         c.time_of_day(f) && c.literal(" ") && c.digits(4, &f->year) &&
         c.done();
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_http_date(
    std::string_view text) {
  using namespace std::chrono;
  Fields f;
  if (!parse_imf_fixdate(text, &f) && !(f = Fields{}, parse_rfc850(text, &f)) &&
      !(f = Fields{}, parse_asctime(text, &f)))
    return std::nullopt;
  year_month_day date{year(f.year), month(static_cast<unsigned>(f.month)),
                      day(static_cast<unsigned>(f.day))};
  if (!date.ok() || f.hour > 23 || f.minute > 59 || f.second > 59)
    return std::nullopt;
  // Seconds cannot overflow for 4-digit years; the time_point's ticks can.
  sys_seconds instant =
      sys_days(date) + hours(f.hour) + minutes(f.minute) + seconds(f.second);
  if (instant < ceil<seconds>(system_clock::time_point::min()) ||
      instant > floor<seconds>(system_clock::time_point::max()))
    return std::nullopt;
  return system_clock::time_point(instant);
}

}  // namespace eddy::exercises
