// Exercise 05.1 (easy): a router, the smallest piece of tornado.web.
//
// HTTPServer hands every request to one callback. A Router is such a
// callback that dispatches on method and path, as Tornado's Application
// does with its URL patterns, and answers the two errors a router owns.
//
// Contract
// - add(method, pattern, handler) registers a route. A pattern is a path of
//   "/"-separated segments; a segment "{name}" matches any one non-empty
//   segment and binds it to `name` in the Params passed to the handler;
//   other segments match themselves exactly. "/" is the root. Routes are
//   tried in the order they were added; the first whose pattern and method
//   match wins. Registering the same method and pattern twice throws
//   std::invalid_argument, and so does a pattern not starting with "/".
// - Matching uses request.path (no query string) and is case-sensitive.
//   A trailing "/" is significant ("/a/" does not match "/a").
// - No pattern matches: 404 with body "Not Found\n" (Content-Type
//   text/plain). A pattern matches but not for this method: 405 with body
//   "Method Not Allowed\n" and an Allow header listing the methods
//   registered for the first matching pattern, in the order they were added,
//   joined with ", ". Both errors are written with the framed API
//   (write_headers, write, finish).
// - operator() never throws out: an exception from a handler that has not
//   started its response becomes 500 with body "Internal Server Error\n".
// Threads: the loop's thread.
#ifndef EDDY_05_HTTPSERVER_EXERCISES_ROUTER_H_
#define EDDY_05_HTTPSERVER_EXERCISES_ROUTER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "05_httpserver/http_server_request.h"

namespace eddy::exercises {

using Params = std::map<std::string, std::string>;
using RouteHandler = std::function<void(HTTPServerRequest&, const Params&)>;

class Router {
 public:
  Router();
  ~Router();
  // Copyable (HTTPServer takes the callback by value): copies share routes.
  Router(const Router&) = default;
  Router& operator=(const Router&) = default;

  void add(const std::string& method, const std::string& pattern,
           RouteHandler handler);
  void operator()(HTTPServerRequest& request) const;

 private:
  struct Routes;  // Yours: define it in router.cc.
  std::shared_ptr<Routes> routes_;
};

}  // namespace eddy::exercises

#endif  // EDDY_05_HTTPSERVER_EXERCISES_ROUTER_H_
