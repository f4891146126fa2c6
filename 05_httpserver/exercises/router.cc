// Exercise 05.1: a router. Replace every TODO; the statement is in
// README.md, the contract in router.h, the grading tests in router_test.cc:
//   tools/bazel test //05_httpserver/exercises:router_test
#include "05_httpserver/exercises/router.h"

#include <stdexcept>

namespace eddy::exercises {

// TODO: the routes, in order: method, pattern split into segments, handler.
struct Router::Routes {};

Router::Router() : routes_(std::make_shared<Routes>()) {}
Router::~Router() = default;

void Router::add(const std::string& method, const std::string& pattern,
                 RouteHandler handler) {
  // TODO
  (void)method;
  (void)pattern;
  (void)handler;
  throw std::logic_error("TODO: Router::add");
}

void Router::operator()(HTTPServerRequest& request) const {
  // TODO: match, dispatch or answer 404/405 (framed API: write_headers with
  // a ResponseStartLine, write, finish); catch handler exceptions.
  (void)request;
}

}  // namespace eddy::exercises
