#include "05_httpserver/xheaders.h"

#include <algorithm>

#include "02_netutil/netutil.h"
#include "04_httputil/chars.h"
#include "04_httputil/url.h"

namespace eddy {
namespace {

// X-Forwarded-For lists client, proxy1, proxy2...: walk it from the right,
// skipping the proxies we trust, and take the first address we do not.
std::string_view last_untrusted_hop(std::string_view forwarded_for,
                                    const std::vector<std::string>& trusted) {
  std::string_view candidate;
  while (true) {
    size_t comma = forwarded_for.rfind(',');
    candidate = chars::strip_ows(comma == std::string_view::npos
                                     ? forwarded_for
                                     : forwarded_for.substr(comma + 1));
    if (comma == std::string_view::npos ||
        std::find(trusted.begin(), trusted.end(), candidate) == trusted.end()) {
      return candidate;
    }
    forwarded_for = forwarded_for.substr(0, comma);
  }
}

void apply_xheaders(HTTPServerRequest& request,
                    const HTTPServerOptions& options) {
  std::string_view ip = request.remote_ip;
  if (auto forwarded_for = request.headers.get_first("X-Forwarded-For")) {
    ip = last_untrusted_hop(*forwarded_for, options.trusted_downstream);
  }
  if (auto real_ip = request.headers.get_first("X-Real-Ip"))
    ip = chars::strip_ows(*real_ip);
  if (is_valid_ip(ip)) request.remote_ip = std::string(ip);

  auto scheme = request.headers.get_first("X-Scheme");
  if (!scheme) scheme = request.headers.get_first("X-Forwarded-Proto");
  if (scheme) {
    std::string_view proto = *scheme;
    size_t comma = proto.rfind(',');
    if (comma != std::string_view::npos) proto = proto.substr(comma + 1);
    proto = chars::strip_ows(proto);
    if (proto == "http" || proto == "https")
      request.protocol = std::string(proto);
  }
}

}  // namespace

void fill_request_details(HTTPServerRequest& request,
                          const std::string& peer_ip,
                          const std::string& protocol,
                          const HTTPServerOptions& options) {
  size_t question = request.uri.find('?');
  if (question == std::string::npos) {
    request.path = request.uri;
  } else {
    request.path = request.uri.substr(0, question);
    request.query = request.uri.substr(question + 1);
    request.query_arguments =
        parse_qs_bytes(request.query, /*keep_blank_values=*/true);
  }
  request.arguments = request.query_arguments;
  if (!request.body.empty()) {
    if (auto content_type = request.headers.get_first("Content-Type")) {
      parse_body_arguments(*content_type, request.body, request.body_arguments,
                           request.files, &request.headers);
      for (const auto& [name, values] : request.body_arguments) {
        auto& merged = request.arguments[name];
        merged.insert(merged.end(), values.begin(), values.end());
      }
    }
  }
  auto host = request.headers.get_first("Host");
  request.host =
      host && !host->empty() ? std::string(*host) : std::string("127.0.0.1");
  // ASCII lower-casing inline (what std::tolower does in the "C" locale),
  // instead of one library call per character of every request's Host.
  std::string lowered = request.host;
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  request.host_name = split_host_and_port(lowered).host;
  request.remote_ip = peer_ip;
  request.protocol = protocol;
  if (options.xheaders) apply_xheaders(request, options);
}

}  // namespace eddy
