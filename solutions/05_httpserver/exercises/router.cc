// Reference solution of exercise 05.1 (05_httpserver/exercises/router.h).
#include "05_httpserver/exercises/router.h"

#include <stdexcept>
#include <string_view>
#include <vector>

namespace eddy::exercises {

namespace {

// "/a/b" -> {"a", "b"}; "/" -> {}; "//" -> {"", ""}.
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  if (path == "/") return segments;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    segments.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool match(const std::vector<std::string>& pattern,
           const std::vector<std::string>& path, Params* params) {
  if (pattern.size() != path.size()) return false;
  Params bound;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i])) {
      if (path[i].empty()) return false;
      bound[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  *params = std::move(bound);
  return true;
}

void answer(HTTPServerRequest& request, int code, const std::string& reason,
            HTTPHeaders headers) {
  headers.set("Content-Type", "text/plain");
  request.write_headers(ResponseStartLine{"HTTP/1.1", code, reason},
                        std::move(headers));
  request.write(reason + "\n");
  request.finish();
}

}  // namespace

struct Router::Routes {
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    RouteHandler handler;
  };
  std::vector<Route> routes;
};

Router::Router() : routes_(std::make_shared<Routes>()) {}
Router::~Router() = default;

void Router::add(const std::string& method, const std::string& pattern,
                 RouteHandler handler) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("route pattern must start with '/': " +
                                pattern);
  for (const auto& r : routes_->routes)
    if (r.method == method && r.pattern == pattern)
      throw std::invalid_argument("duplicate route " + method + " " + pattern);
  routes_->routes.push_back(
      {method, pattern, split_path(pattern), std::move(handler)});
}

void Router::operator()(HTTPServerRequest& request) const {
  std::vector<std::string> path = split_path(request.path);
  // 1. The first route matching path and method wins.
  for (const auto& route : routes_->routes) {
    Params params;
    if (route.method != request.method || !match(route.segments, path, &params))
      continue;
    try {
      route.handler(request, params);
    } catch (const std::exception&) {
      try {
        if (!request.finished())
          answer(request, 500, "Internal Server Error", {});
      } catch (const std::exception&) {
        request.finish();  // The handler had started its response.
      }
    }
    return;
  }
  // 2. No route: 405 when some pattern matches (Allow: its methods), else 404.
  const std::string* pattern = nullptr;
  std::string allow;
  for (const auto& route : routes_->routes) {
    Params params;
    if (pattern == nullptr && match(route.segments, path, &params))
      pattern = &route.pattern;
    if (pattern != nullptr && route.pattern == *pattern)
      allow += (allow.empty() ? "" : ", ") + route.method;
  }
  if (pattern == nullptr) {
    answer(request, 404, "Not Found", {});
  } else {
    answer(request, 405, "Method Not Allowed", HTTPHeaders{{"Allow", allow}});
  }
}

}  // namespace eddy::exercises
