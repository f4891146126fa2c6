// Grading tests of exercise 05.1 (router.h): a real HTTPServer whose
// callback is the Router, requests over a socket.
#include "05_httpserver/exercises/router.h"

#include <stdexcept>
#include <string>

#include "05_httpserver/exercises/test_server.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

using testing::TestServer;

// Answers 200 with `text` (framed API).
void reply(HTTPServerRequest& request, const std::string& text) {
  request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                        HTTPHeaders{{"Content-Type", "text/plain"}});
  request.write(text);
  request.finish();
}

Router make_router() {
  Router router;
  router.add("GET", "/",
             [](HTTPServerRequest& r, const Params&) { reply(r, "root"); });
  router.add("GET", "/users/{id}", [](HTTPServerRequest& r, const Params& p) {
    reply(r, "user " + p.at("id"));
  });
  router.add("POST", "/users/{id}", [](HTTPServerRequest& r, const Params& p) {
    reply(r, "posted " + p.at("id") + " " + r.body);
  });
  router.add("GET", "/users/{id}/posts/{post}",
             [](HTTPServerRequest& r, const Params& p) {
               reply(r, p.at("id") + "/" + p.at("post"));
             });
  router.add("GET", "/users/me", [](HTTPServerRequest& r, const Params&) {
    reply(r, "never: /users/{id} was added first");
  });
  router.add("DELETE", "/items",
             [](HTTPServerRequest& r, const Params&) { reply(r, "deleted"); });
  router.add("GET", "/boom", [](HTTPServerRequest&, const Params&) {
    throw std::runtime_error("handler failed");
  });
  return router;
}

TEST(RouterTest, RootAndParameters) {
  TestServer s(make_router());
  auto root = s.get("/");
  EXPECT_EQ(root.code, 200);
  EXPECT_EQ(root.body, "root");
  auto user = s.get("/users/42?verbose=1");
  EXPECT_EQ(user.code, 200);
  EXPECT_EQ(user.body, "user 42");
  auto post = s.get("/users/ann/posts/7");
  EXPECT_EQ(post.body, "ann/7");
}

TEST(RouterTest, FirstMatchingRouteWins) {
  TestServer s(make_router());
  EXPECT_EQ(s.get("/users/me").body, "user me");
}

TEST(RouterTest, MethodSelectsTheRoute) {
  TestServer s(make_router());
  auto r = s.fetch(
      "POST /users/9 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
      "POST");
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.body, "posted 9 hello");
}

TEST(RouterTest, UnknownPathIs404) {
  TestServer s(make_router());
  for (std::string path : {"/nope", "/users", "/users/", "/users/1/", "//",
                           "/USERS/1", "/users/1/posts"}) {
    auto r = s.get(path);
    EXPECT_EQ(r.code, 404) << path;
    EXPECT_EQ(r.body, "Not Found\n") << path;
    EXPECT_EQ(r.headers.get("Content-Type"), "text/plain") << path;
  }
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  TestServer s(make_router());
  auto r = s.fetch(
      "PUT /users/3 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", "PUT");
  EXPECT_EQ(r.code, 405);
  EXPECT_EQ(r.body, "Method Not Allowed\n");
  EXPECT_EQ(r.headers.get("Allow"), "GET, POST");
  auto items = s.get("/items");
  EXPECT_EQ(items.code, 405);
  EXPECT_EQ(items.headers.get("Allow"), "DELETE");
}

TEST(RouterTest, HandlerExceptionIs500) {
  TestServer s(make_router());
  auto r = s.get("/boom");
  EXPECT_EQ(r.code, 500);
  EXPECT_EQ(r.body, "Internal Server Error\n");
  // The server keeps serving.
  EXPECT_EQ(s.get("/").code, 200);
}

TEST(RouterTest, BadRegistrationsThrow) {
  Router router;
  auto h = [](HTTPServerRequest&, const Params&) {};
  router.add("GET", "/a/{x}", h);
  EXPECT_THROW(router.add("GET", "/a/{x}", h), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "a", h), std::invalid_argument);
  EXPECT_NO_THROW(router.add("POST", "/a/{x}", h));
}

TEST(RouterTest, CopiesShareRoutes) {
  Router router;
  Router copy = router;
  router.add("GET", "/late",
             [](HTTPServerRequest& r, const Params&) { reply(r, "late"); });
  TestServer s(copy);
  EXPECT_EQ(s.get("/late").body, "late");
}

}  // namespace
}  // namespace eddy::exercises
