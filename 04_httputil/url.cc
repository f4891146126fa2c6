#include "04_httputil/url.h"

#include <cstring>

namespace eddy {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '-' || c == '~';
}

// Calls field(name_value) for each '&'-separated field, empty ones included.
template <typename Fn>
void for_each_field(std::string_view qs, Fn&& field) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t amp = qs.find('&', pos);
    field(qs.substr(pos, amp == std::string_view::npos ? std::string_view::npos
                                                       : amp - pos));
    if (amp == std::string_view::npos) return;
    pos = amp + 1;
  }
}

}  // namespace

std::string url_unescape(std::string_view value, bool plus) {
  std::string out;
  out.reserve(value.size());
  const std::size_t size = value.size();
  for (std::size_t i = 0; i < size; ++i) {
    const char c = value[i];
    if (c == '%' && i + 2 < size) {
      const int high = hex_value(value[i + 1]);
      const int low = hex_value(value[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(plus && c == '+' ? ' ' : c);
  }
  return out;
}

std::string url_escape(std::string_view value, bool plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (is_unreserved(c) || (!plus && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else if (plus && c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_qsl_bytes(
    std::string_view qs, bool keep_blank_values, bool strict_parsing) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for_each_field(qs, [&](std::string_view field) {
    if (field.empty() && !strict_parsing) return;
    const std::size_t eq = field.find('=');
    std::string_view name = field, value;
    if (eq == std::string_view::npos) {
      if (strict_parsing)
        throw HTTPInputError("Bad query field " + quote_for_error(field));
      if (!keep_blank_values) return;
    } else {
      name = field.substr(0, eq);
      value = field.substr(eq + 1);
    }
    if (value.empty() && !keep_blank_values) return;
    pairs.emplace_back(url_unescape(name), url_unescape(value));
  });
  return pairs;
}

ArgumentMap parse_qs_bytes(std::string_view qs, bool keep_blank_values,
                           bool strict_parsing) {
  ArgumentMap arguments;
  for (auto& [name, value] :
       parse_qsl_bytes(qs, keep_blank_values, strict_parsing)) {
    arguments[std::move(name)].push_back(std::move(value));
  }
  return arguments;
}

std::string url_concat(
    std::string_view url,
    const std::vector<std::pair<std::string, std::string>>& args) {
  std::string_view fragment;
  const std::size_t hash = url.find('#');
  if (hash != std::string_view::npos) {
    fragment = url.substr(hash + 1);
    url = url.substr(0, hash);
  }
  std::string_view query;
  const std::size_t question = url.find('?');
  if (question != std::string_view::npos) {
    query = url.substr(question + 1);
    url = url.substr(0, question);
  }
  auto pairs = parse_qsl_bytes(query, /*keep_blank_values=*/true);
  pairs.insert(pairs.end(), args.begin(), args.end());

  std::string out(url);
  char separator = '?';
  for (const auto& [name, value] : pairs) {
    out.push_back(separator);
    separator = '&';
    out += url_escape(name);
    out.push_back('=');
    out += url_escape(value);
  }
  if (!fragment.empty()) {
    out.push_back('#');
    out.append(fragment);
  }
  return out;
}

HostAndPort split_host_and_port(std::string_view netloc) {
  const std::size_t colon = netloc.rfind(':');
  // Tornado's regex ^(.+):(\d+)$: a non-empty host, then only digits.
  if (colon != std::string_view::npos && colon > 0 &&
      colon + 1 < netloc.size()) {
    const std::string_view digits = netloc.substr(colon + 1);
    bool all_digits = true;
    for (char c : digits) all_digits &= (c >= '0' && c <= '9');
    if (all_digits) {
      long port = 0;
      for (char c : digits) {
        port = port * 10 + (c - '0');
        if (port > 65535)
          throw HTTPInputError("Port out of range in " +
                               quote_for_error(netloc));
      }
      return HostAndPort{std::string(netloc.substr(0, colon)),
                         static_cast<int>(port)};
    }
  }
  return HostAndPort{std::string(netloc), std::nullopt};
}

}  // namespace eddy
