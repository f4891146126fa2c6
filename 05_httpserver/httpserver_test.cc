// HTTPServer through real sockets: a server on 127.0.0.1, port 0, and raw
// clients on the same IOLoop. Every wait is IOLoop::run_until with a
// deadline.
#include "05_httpserver/httpserver.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "01_ioloop/periodic_callback.h"
#include "05_httpserver/test_client.h"

namespace eddy {
namespace {

using testing::count_final_responses;
using testing::parse_responses;
using testing::RawClient;
using testing::Response;

constexpr double kDeadline = 10.0;

// The tutorial's handler, byte for byte.
void handle_request(HTTPServerRequest& request) {
  std::string message = "You requested " + request.uri + "\n";
  request.write("HTTP/1.1 200 OK\r\nContent-Length: " +
                std::to_string(message.size()) + "\r\n\r\n" + message);
  request.finish();
}

// The framed echo of //05_httpserver:echo_server.
void echo(HTTPServerRequest& request) {
  HTTPHeaders headers;
  headers.add("Content-Length", std::to_string(request.body.size()));
  headers.add("X-Echo-Method", request.method);
  headers.add("X-Echo-Uri", request.uri);
  headers.add("X-Echo-Version", request.version);
  headers.add("X-Echo-Remote-Ip", request.remote_ip);
  headers.add("X-Echo-Protocol", request.protocol);
  request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                        std::move(headers));
  request.write(request.body);
  request.finish();
}

class HTTPServerTest : public ::testing::Test {
 protected:
  void start(HTTPServer::RequestCallback callback,
             HTTPServerOptions options = {}) {
    server_ = std::make_unique<HTTPServer>(std::move(callback),
                                           std::move(options), loop_);
    server_->listen(0, "127.0.0.1");
    port_ = server_->listening_addresses().at(0).port();
  }

  std::unique_ptr<RawClient> connect() {
    return std::make_unique<RawClient>(loop_, port_);
  }

  // Waits until `client` holds `count` final responses (or the server closed).
  std::vector<Response> responses(
      RawClient& client, size_t count,
      const std::vector<std::string>& methods = {}) {
    loop_.run_until(
        [&] {
          return client.closed() ||
                 count_final_responses(client.received(), methods, false) >=
                     count;
        },
        kDeadline);
    return parse_responses(client.received(), methods, client.closed());
  }

  // Sends `request` on a new connection; returns the first final response and
  // whether the server closed the connection afterwards (waiting briefly).
  Response exchange(const std::string& request, bool* closed = nullptr) {
    auto client = connect();
    client->send(request);
    auto all = responses(*client, 1);
    if (closed != nullptr) {
      loop_.run_until([&] { return client->closed(); }, 3.0);
      *closed = client->closed();
    }
    for (auto& response : all) {
      if (response.code >= 200) return response;
    }
    return Response{};
  }

  IOLoop loop_;
  std::unique_ptr<HTTPServer> server_;
  int port_ = 0;
};

// ---- The tutorial's raw API -------------------------------------------------

TEST_F(HTTPServerTest, TutorialResponseByteForByte) {
  start(handle_request);
  auto client = connect();
  client->send("GET /hello?name=eddy HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const std::string expected =
      "HTTP/1.1 200 OK\r\nContent-Length: 31\r\n\r\nYou requested "
      "/hello?name=eddy\n";
  loop_.run_until(
      [&] {
        return client->closed() || client->received().size() >= expected.size();
      },
      kDeadline);
  EXPECT_EQ(client->received(), expected);
  EXPECT_FALSE(client->closed());
}

// Issue 15, item 3: the tutorial's handler answers HEAD with its body in
// the same write. The server sends the head and drops the body; before, the
// body went out and the client read it as the start of the next response.
TEST_F(HTTPServerTest, RegressionRawHeadResponseCarriedItsBody) {
  start(handle_request);
  auto client = connect();
  client->send(
      "HEAD /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  auto all = responses(*client, 2, {"HEAD", "GET"});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].code, 200);
  EXPECT_EQ(all[0].headers.get("Content-Length"), "17");  // As for GET.
  EXPECT_EQ(all[1].code, 200);
  EXPECT_EQ(all[1].body, "You requested /b\n");
  EXPECT_EQ(client->received(),
            "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\nYou requested /b\n");
  EXPECT_FALSE(client->closed());
}

// The same for a raw 204 or 304, and for a head written in pieces, behind
// an interim 103.
TEST_F(HTTPServerTest, RawResponsesWithoutABodyEndWithTheirHead) {
  start([](HTTPServerRequest& request) {
    if (request.path == "/204") {
      request.write("HTTP/1.1 204 No Content\r\n\r\nmust not be sent");
    } else if (request.path == "/304") {
      request.write("HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r");
      request.write("\n\r\nmust not");
      request.write(" be sent");
    } else {
      request.write("HTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\nHTTP/1.1 ");
      request.write("200 OK\r\nContent-Length: 3\r\n\r");
      request.write("\nnot");
    }
    request.finish();
  });
  auto client = connect();
  client->send(
      "GET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: "
      "a\r\n\r\nHEAD /head HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
  auto all = responses(*client, 4, {"GET", "GET", "HEAD", "GET"});
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0].code, 204);
  EXPECT_EQ(all[1].code, 304);
  EXPECT_EQ(all[2].code, 103);
  EXPECT_EQ(all[3].code, 200);  // HEAD /head: no body.
  EXPECT_EQ(all[4].code, 103);
  EXPECT_EQ(all[5].code, 200);
  EXPECT_EQ(all[5].body, "not");
  EXPECT_EQ(client->received().find("must not"), std::string::npos);
  EXPECT_EQ(client->received().find("\r\nnot"),
            client->received().rfind("\r\nnot"));
  EXPECT_FALSE(client->closed());
}

// finish() with only an interim head written: the client still waits for
// the answer, so the connection closes instead of reading the next request.
TEST_F(HTTPServerTest, RawFinishAfterOnlyAnInterimHeadCloses) {
  start([](HTTPServerRequest& request) {
    if (request.path == "/a") {
      request.write("HTTP/1.1 102 Processing\r\n\r\n");
      request.finish();
      return;
    }
    handle_request(request);
  });
  ::testing::internal::CaptureStderr();
  auto client = connect();
  client->send(
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  loop_.run_until([&] { return client->closed(); }, kDeadline);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(client->closed());
  EXPECT_EQ(client->received(), "HTTP/1.1 102 Processing\r\n\r\n");
  EXPECT_NE(log.find("before the end of a raw response head"),
            std::string::npos)
      << log;
}

TEST_F(HTTPServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  start(handle_request);
  auto client = connect();
  for (int i = 0; i < 5; ++i) {
    client->clear_received();
    std::string uri = "/r" + std::to_string(i);
    client->send("GET " + uri + " HTTP/1.1\r\nHost: a\r\n\r\n");
    auto all = responses(*client, 1);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].body, "You requested " + uri + "\n");
  }
  EXPECT_FALSE(client->closed());
}

TEST_F(HTTPServerTest, TwentyPipelinedRequestsInOneWriteAnsweredInOrder) {
  start(handle_request);
  auto client = connect();
  std::string batch;
  for (int i = 0; i < 20; ++i)
    batch += "GET /p" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n";
  client->send(batch);
  auto all = responses(*client, 20);
  ASSERT_EQ(all.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(all[i].body, "You requested /p" + std::to_string(i) + "\n");
  }
}

TEST_F(HTTPServerTest, RequestSplitByteByByte) {
  start(echo);
  auto client = connect();
  std::string request =
      "POST /split HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
      "GET /next HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
      "chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\n\r\n";
  for (char c : request) {
    client->send(std::string_view(&c, 1));
    loop_.run_until([&] { return client->sent_everything(); }, kDeadline);
    loop_.run_until([] { return false; }, 0.0005);
  }
  auto all = responses(*client, 2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].body, "hello");
  EXPECT_EQ(all[1].body, "abc");
  EXPECT_EQ(all[1].headers.get("X-Echo-Uri"), "/next");
}

TEST_F(HTTPServerTest, LeadingEmptyLinesBeforeARequestAreIgnored) {
  start(handle_request);
  Response response = exchange("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(response.code, 200);
  EXPECT_EQ(response.body, "You requested /x\n");
}

TEST_F(HTTPServerTest, BareLineFeedsAreAccepted) {
  start(handle_request);
  Response response = exchange("GET /lf HTTP/1.1\nHost: a\n\n");
  EXPECT_EQ(response.code, 200);
  EXPECT_EQ(response.body, "You requested /lf\n");
}

// ---- HTTP/1.0 and keep-alive
// -------------------------------------------------

TEST_F(HTTPServerTest, Http10WithoutKeepAliveIsClosedAfterTheResponse) {
  start(echo);
  bool closed = false;
  Response response = exchange("GET / HTTP/1.0\r\n\r\n", &closed);
  EXPECT_EQ(response.code, 200);
  EXPECT_TRUE(closed);
  EXPECT_FALSE(response.headers.contains("Connection"));
}

TEST_F(HTTPServerTest, Http10WithKeepAliveStaysOpen) {
  start(echo);
  auto client = connect();
  client->send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto first = responses(*client, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].headers.get("Connection"), "Keep-Alive");
  client->send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto both = responses(*client, 2);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].headers.get("X-Echo-Uri"), "/b");
  EXPECT_FALSE(client->closed());
}

// A raw response is the application's own head: the connection follows what
// it says. The tutorial's head has no Connection header, which an HTTP/1.0
// client reads as "until close", so the server must close.
TEST_F(HTTPServerTest, Http10RawResponseWithoutKeepAliveHeaderCloses) {
  start(handle_request);
  bool closed = false;
  Response response =
      exchange("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &closed);
  EXPECT_EQ(response.body, "You requested /a\n");
  EXPECT_TRUE(closed);
}

TEST_F(HTTPServerTest, Http10RawResponseThatAnnouncesKeepAliveStaysOpen) {
  start([](HTTPServerRequest& request) {
    request.write(
        "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: "
        "2\r\n\r\nok");
    request.finish();
  });
  auto client = connect();
  client->send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_EQ(responses(*client, 1).size(), 1u);
  client->send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(responses(*client, 2).size(), 2u);
  EXPECT_FALSE(client->closed());
}

TEST_F(HTTPServerTest, RawResponseSayingCloseIsClosed) {
  start([](HTTPServerRequest& request) {
    request.write(
        "HTTP/1.1 200 OK\r\nconnection: close\r\nContent-Length: 2\r\n\r\nok");
    request.finish();
  });
  bool closed = false;
  Response response = exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &closed);
  EXPECT_EQ(response.body, "ok");
  EXPECT_TRUE(closed);
}

TEST_F(HTTPServerTest, ConnectionCloseIsHonouredAndAnnounced) {
  start(echo);
  bool closed = false;
  Response response = exchange(
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", &closed);
  EXPECT_EQ(response.code, 200);
  EXPECT_EQ(response.headers.get("Connection"), "close");
  EXPECT_TRUE(closed);
}

TEST_F(HTTPServerTest, NoKeepAliveOptionClosesEveryConnection) {
  HTTPServerOptions options;
  options.no_keep_alive = true;
  start(echo, options);
  bool closed = false;
  Response response = exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &closed);
  EXPECT_EQ(response.code, 200);
  EXPECT_EQ(response.headers.get("Connection"), "close");
  EXPECT_TRUE(closed);
}

// ---- The framed API
// -------------------------------------------------------------

TEST_F(HTTPServerTest, FramedResponseWithoutLengthIsChunkedOnHttp11) {
  start([](HTTPServerRequest& request) {
    request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                          HTTPHeaders{});
    request.write("first,");
    request.write("");  // An empty write must not end the body early.
    request.write("second");
    request.finish();
  });
  auto client = connect();
  client->send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  auto all = responses(*client, 1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].headers.get("Transfer-Encoding"), "chunked");
  EXPECT_TRUE(all[0].headers.contains("Date"));
  EXPECT_EQ(all[0].body, "first,second");
  EXPECT_FALSE(client->closed());
}

TEST_F(HTTPServerTest, FramedResponseWithoutLengthOnHttp10IsCloseDelimited) {
  start([](HTTPServerRequest& request) {
    request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                          HTTPHeaders{});
    request.write("until close");
    request.finish();
  });
  auto client = connect();
  client->send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  loop_.run_until([&] { return client->closed(); }, kDeadline);
  auto all = parse_responses(client->received(), {}, true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].headers.contains("Transfer-Encoding"));
  EXPECT_EQ(all[0].body, "until close");
}

TEST_F(HTTPServerTest, HeadResponseHasHeadersButNoBody) {
  start(echo);
  auto client = connect();
  client->send(
      "HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: "
      "a\r\n\r\n");
  auto all = responses(*client, 2, {"HEAD", "GET"});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].headers.get("X-Echo-Method"), "HEAD");
  EXPECT_EQ(all[1].headers.get("X-Echo-Uri"), "/after");
}

TEST_F(HTTPServerTest, NoBodyIsSentFor204And304) {
  start([](HTTPServerRequest& request) {
    int code = request.path == "/204" ? 204 : 304;
    request.write_headers(ResponseStartLine{"HTTP/1.1", code, ""},
                          HTTPHeaders{});
    request.write("must not be sent");
    request.finish();
  });
  auto client = connect();
  client->send(
      "GET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: "
      "a\r\n\r\n");
  auto all = responses(*client, 2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].code, 204);
  EXPECT_EQ(all[1].code, 304);
  EXPECT_FALSE(all[0].headers.contains("Transfer-Encoding"));
  EXPECT_EQ(client->received().find("must not"), std::string::npos);
}

TEST_F(HTTPServerTest, WritingMoreThanContentLengthIsAnError) {
  start([](HTTPServerRequest& request) {
    request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                          HTTPHeaders{{"Content-Length", "2"}});
    request.write("toolong");
  });
  bool closed = false;
  ::testing::internal::CaptureStderr();
  exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &closed);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(closed);
  EXPECT_NE(log.find("more data than Content-Length"), std::string::npos)
      << log;
}

// Issue 15, item 1: write_headers checks its status line. A reason phrase
// is *( HTAB / SP / VCHAR / obs-text ) (RFC 9112 §4) and a code three
// digits; anything else is std::invalid_argument and nothing is written.
// Before, `reason = "OK\r\nSet-Cookie: x=1"` put a header on the wire.
TEST_F(HTTPServerTest, RegressionReasonPhraseWithCrlfPutAHeaderOnTheWire) {
  const std::vector<ResponseStartLine> refused = {
      {"HTTP/1.1", 200, "OK\r\nSet-Cookie: x=1"},
      {"HTTP/1.1", 200, "OK\nSet-Cookie: x=1"},
      {"HTTP/1.1", 200, "OK\rSet-Cookie: x=1"},
      {"HTTP/1.1", 200, std::string("O\0K", 3)},
      {"HTTP/1.1", 200, "O\x7fK"},
      {"HTTP/1.1", 200, "O\x01K"},
      {"HTTP/1.1", 99, "OK"},
      {"HTTP/1.1", 1000, "OK"},
      {"HTTP/1.1", 0, ""},
      {"HTTP/1.1", -200, "OK"},
  };
  size_t refusals = 0;
  start([&](HTTPServerRequest& request) {
    for (const ResponseStartLine& line : refused) {
      try {
        request.write_headers(line, HTTPHeaders{{"Content-Length", "2"}});
      } catch (const std::invalid_argument&) {
        refusals++;
      }
    }
    // Nothing was written, so the response can still begin.
    request.write_headers(ResponseStartLine{"HTTP/1.1", 299, "Fine\tby \xe9"},
                          HTTPHeaders{{"Content-Length", "2"}});
    request.write("ok");
    request.finish();
  });
  auto client = connect();
  client->send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  auto all = responses(*client, 1);
  EXPECT_EQ(refusals, refused.size());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].code, 299);
  EXPECT_EQ(all[0].reason, "Fine\tby \xe9");
  EXPECT_EQ(all[0].body, "ok");
  EXPECT_EQ(client->received().find("Set-Cookie"), std::string::npos);
  EXPECT_EQ(client->received().rfind("HTTP/1.1 ", 0), 0u);
  EXPECT_FALSE(client->closed());
}

// A status code of 999 is three digits: allowed (RFC 9110 §15).
TEST_F(HTTPServerTest, StatusCode999IsWrittenAsIs) {
  start([](HTTPServerRequest& request) {
    request.write_headers(ResponseStartLine{"HTTP/1.1", 999, ""},
                          HTTPHeaders{{"Content-Length", "0"}});
    request.finish();
  });
  Response response = exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(response.code, 999);
}

// An invalid status line refused inside the callback, and the exception
// left to escape: nothing was written, so the client gets a 500.
TEST_F(HTTPServerTest, InvalidStatusLineEscapingTheCallbackGets500) {
  start([](HTTPServerRequest& request) {
    request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK\r\nX: y"},
                          HTTPHeaders{});
  });
  ::testing::internal::CaptureStderr();
  bool closed = false;
  Response response = exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &closed);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(response.code, 500);
  EXPECT_FALSE(response.headers.contains("X"));
  EXPECT_TRUE(closed);
}

// Issue 15, item 2: the framing headers the application gives are checked
// before anything is written: Content-Length with Transfer-Encoding, two
// Content-Lengths that differ, or one that is not 1*DIGIT or overflows 64
// bits, throws std::invalid_argument. Before, Content-Length and
// Transfer-Encoding went out together (a response a proxy may frame either
// way) and an overflowing length wrapped around silently.
TEST_F(HTTPServerTest,
       RegressionContentLengthWithTransferEncodingWentOnTheWire) {
  const std::vector<HTTPHeaders> refused = {
      HTTPHeaders{{"Content-Length", "2"}, {"Transfer-Encoding", "chunked"}},
      HTTPHeaders{{"Transfer-Encoding", "chunked"}, {"Content-Length", "2"}},
      HTTPHeaders{{"Content-Length", "2"}, {"Content-Length", "3"}},
      HTTPHeaders{{"Content-Length", "2, 2"}},
      HTTPHeaders{{"Content-Length", ""}},
      HTTPHeaders{{"Content-Length", "+2"}},
      HTTPHeaders{{"Content-Length", "-1"}},
      HTTPHeaders{{"Content-Length", "0x2"}},
      HTTPHeaders{{"Content-Length", "2 "}},
      HTTPHeaders{{"Content-Length", "18446744073709551616"}},
      HTTPHeaders{{"Content-Length", "99999999999999999999999"}},
  };
  size_t refusals = 0;
  start([&](HTTPServerRequest& request) {
    for (const HTTPHeaders& headers : refused) {
      try {
        request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                              headers);
      } catch (const std::invalid_argument&) {
        refusals++;
      }
    }
    // Equal repeats are one length, and leave as one field.
    request.write_headers(
        ResponseStartLine{"HTTP/1.1", 200, "OK"},
        HTTPHeaders{{"Content-Length", "2"}, {"Content-Length", "2"}});
    request.write("ok");
    request.finish();
  });
  auto client = connect();
  client->send(
      "GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
  auto all = responses(*client, 2, {"GET", "HEAD"});
  EXPECT_EQ(refusals, 2 * refused.size());  // For the HEAD request too.
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].body, "ok");
  EXPECT_EQ(all[0].headers.count("Content-Length"), 1u);
  EXPECT_FALSE(all[0].headers.contains("Transfer-Encoding"));
  EXPECT_EQ(all[1].headers.count("Content-Length"), 1u);
  EXPECT_FALSE(client->closed());
}

// A 1xx is an interim response (RFC 9110 §15.2): write_headers sends it at
// once, and the final response is still expected after it.
TEST_F(HTTPServerTest, InterimResponseIsFollowedByTheFinalOne) {
  start([](HTTPServerRequest& request) {
    request.write_headers(ResponseStartLine{"HTTP/1.1", 103, ""},
                          HTTPHeaders{{"Link", "</style.css>; rel=preload"}});
    request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                          HTTPHeaders{{"Content-Length", "2"}});
    request.write("ok");
    request.finish();
  });
  auto client = connect();
  client->send(
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  auto all = responses(*client, 2);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].code, 103);
  EXPECT_EQ(all[0].reason, "Early Hints");
  EXPECT_EQ(all[0].headers.get("Link"), "</style.css>; rel=preload");
  EXPECT_FALSE(all[0].headers.contains("Content-Length"));
  EXPECT_EQ(all[1].code, 200);
  EXPECT_EQ(all[1].body, "ok");
  EXPECT_EQ(all[2].code, 103);
  EXPECT_EQ(all[3].body, "ok");
  EXPECT_FALSE(client->closed());
}

// Before, a 1xx given to write_headers was the response: finish() ended the
// exchange, and the next request's response became the final answer to
// this one. Now finishing after only a 1xx is a response never given: the
// connection closes, and the pipelined request is not answered.
TEST_F(HTTPServerTest, RegressionInterimResponseEndedTheExchange) {
  start([](HTTPServerRequest& request) {
    if (request.path == "/a") {
      request.write_headers(ResponseStartLine{"HTTP/1.1", 102, ""},
                            HTTPHeaders{});
      request.finish();
      return;
    }
    handle_request(request);
  });
  ::testing::internal::CaptureStderr();
  auto client = connect();
  client->send(
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  loop_.run_until([&] { return client->closed(); }, kDeadline);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(client->closed());
  auto all = parse_responses(client->received(), {}, true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].code, 102);
  EXPECT_EQ(client->received().find("You requested"), std::string::npos);
  EXPECT_NE(log.find("without a response"), std::string::npos) << log;
}

// 101 would switch protocols, which eddy cannot; a 1xx carries no body, so
// no Content-Length or Transfer-Encoding (RFC 9110 §8.6, RFC 9112 §6.1).
// An HTTP/1.0 client gets no 1xx at all (RFC 9110 §15.2).
TEST_F(HTTPServerTest, InterimResponsesThatCannotBeSentAreRefusedOrDropped) {
  size_t refusals = 0;
  start([&](HTTPServerRequest& request) {
    const std::vector<std::pair<int, HTTPHeaders>> refused = {
        {101, HTTPHeaders{{"Upgrade", "websocket"}}},
        {103, HTTPHeaders{{"Content-Length", "0"}}},
        {100, HTTPHeaders{{"Transfer-Encoding", "chunked"}}},
    };
    for (const auto& [code, headers] : refused) {
      try {
        request.write_headers(ResponseStartLine{"HTTP/1.1", code, ""}, headers);
      } catch (const std::invalid_argument&) {
        refusals++;
      }
    }
    request.write_headers(ResponseStartLine{"HTTP/1.1", 103, ""},
                          HTTPHeaders{{"Link", "</a>; rel=preload"}});
    request.write_headers(ResponseStartLine{"HTTP/1.1", 200, "OK"},
                          HTTPHeaders{{"Content-Length", "2"}});
    request.write("ok");
    request.finish();
  });
  auto client = connect();
  client->send("GET / HTTP/1.0\r\n\r\n");
  loop_.run_until([&] { return client->closed(); }, kDeadline);
  EXPECT_EQ(refusals, 3u);
  auto all = parse_responses(client->received(), {}, true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].code, 200);
  EXPECT_EQ(all[0].body, "ok");
}

// ---- Bodies
// ------------------------------------------------------------------------

TEST_F(HTTPServerTest, OneMebibyteBinaryBodyIsEchoedExactly) {
  start(echo);
  std::string body(1 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  auto client = connect();
  client->send("PUT /big HTTP/1.1\r\nHost: a\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
  auto all = responses(*client, 1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].body.size(), body.size());
  EXPECT_TRUE(all[0].body == body);
}

TEST_F(HTTPServerTest, ChunkedBodyWithExtensionsAndTrailers) {
  start(echo);
  Response response = exchange(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "1 ; quoted=\"x\"\r\n,\r\n"
      "A\r\n0123456789\r\n"
      "0\r\nX-Trailer: dropped\r\nAnother: one\r\n\r\n");
  EXPECT_EQ(response.code, 200);
  EXPECT_EQ(response.body, "hello,0123456789");
}

// The body readers take no byte past the body: what follows is the next
// request, whichever way the body was framed.
TEST_F(HTTPServerTest, PipelinedRequestsAfterBodiesAreServed) {
  start(echo);
  auto client = connect();
  client->send(
      "POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nde"
      "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
  auto all = responses(*client, 3);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].body, "abc");
  EXPECT_EQ(all[1].body, "de");
  EXPECT_EQ(all[2].headers.get("X-Echo-Uri"), "/3");
  EXPECT_EQ(all[2].body, "");
  EXPECT_FALSE(client->closed());
}

// Chunks and Content-Length bodies larger than chunk_size arrive whole
// (read_body_bytes reads them in pieces).
TEST_F(HTTPServerTest, BodiesLargerThanChunkSizeArriveWhole) {
  HTTPServerOptions options;
  options.chunk_size = 7;
  start(echo, options);
  std::string body = "0123456789abcdefghijklmnopqrstuvwxyz";
  auto client = connect();
  client->send("POST /cl HTTP/1.1\r\nHost: a\r\nContent-Length: 36\r\n\r\n" +
               body +
               "POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
               "chunked\r\n\r\n24\r\n" +
               body + "\r\n0\r\n\r\n");
  auto all = responses(*client, 2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].body, body);
  EXPECT_EQ(all[1].body, body);
}

TEST_F(HTTPServerTest, ExpectContinueGetsA100BeforeTheBody) {
  start(echo);
  auto client = connect();
  client->send(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: "
      "100-continue\r\n\r\n");
  loop_.run_until(
      [&] {
        return client->closed() ||
               client->received().find("\r\n\r\n") != std::string::npos;
      },
      kDeadline);
  ASSERT_EQ(client->received().rfind("HTTP/1.1 100 Continue\r\n", 0), 0u)
      << client->received();
  client->send("data");
  auto all = responses(*client, 1);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].code, 100);
  EXPECT_EQ(all[1].code, 200);
  EXPECT_EQ(all[1].body, "data");
}

TEST_F(HTTPServerTest, ExpectContinueWithTooLargeBodyGets413Instead) {
  HTTPServerOptions options;
  options.max_body_size = 10;
  start(echo, options);
  bool closed = false;
  Response response = exchange(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nExpect: "
      "100-continue\r\n\r\n",
      &closed);
  EXPECT_EQ(response.code, 413);
  EXPECT_TRUE(closed);
}

TEST_F(HTTPServerTest, ArgumentsFromQueryAndForm) {
  std::shared_ptr<HTTPServerRequest> seen;
  start([&](HTTPServerRequest& request) {
    seen = request.shared_from_this();
    handle_request(request);
  });
  std::string form = "b=2&a=3";
  exchange(
      "POST /path?a=1&empty= HTTP/1.1\r\nHost: Example.COM:8080\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
      std::to_string(form.size()) + "\r\n\r\n" + form);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/path");
  EXPECT_EQ(seen->query, "a=1&empty=");
  EXPECT_EQ(seen->query_arguments.at("a"), std::vector<std::string>{"1"});
  EXPECT_EQ(seen->body_arguments.at("b"), std::vector<std::string>{"2"});
  EXPECT_EQ(seen->arguments.at("a"), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(seen->host, "Example.COM:8080");
  EXPECT_EQ(seen->host_name, "example.com");
  EXPECT_EQ(seen->remote_ip, "127.0.0.1");
  EXPECT_EQ(seen->protocol, "http");
  EXPECT_EQ(seen->full_url(), "http://Example.COM:8080/path?a=1&empty=");
  EXPECT_TRUE(seen->supports_http_1_1());
  EXPECT_GE(seen->request_time(), 0.0);
  EXPECT_EQ(seen->connection, nullptr);  // The connection moved on.
}

// ---- Bad input: a status, then a close
// -------------------------------------------

struct BadRequestCase {
  const char* name;
  std::string request;
  int status;
};

class BadRequestTest : public HTTPServerTest,
                       public ::testing::WithParamInterface<BadRequestCase> {};

TEST_P(BadRequestTest, AnswersAndCloses) {
  HTTPServerOptions options;
  options.max_header_size = 1024;
  options.max_body_size = 100;
  int calls = 0;
  start(
      [&](HTTPServerRequest& request) {
        calls++;
        echo(request);
      },
      options);
  bool closed = false;
  Response response = exchange(GetParam().request, &closed);
  EXPECT_EQ(response.code, GetParam().status) << GetParam().request;
  EXPECT_TRUE(response.headers.contains("Date"));
  EXPECT_EQ(response.headers.get("Connection"), "close");
  EXPECT_TRUE(closed);
  EXPECT_EQ(calls, 0);
}

const std::vector<BadRequestCase> kBadRequests = {
    {"garbage_start_line", "HELLO\r\n\r\n", 400},
    {"missing_version", "GET /\r\nHost: a\r\n\r\n", 400},
    {"two_spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
    {"method_not_token", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
    {"lowercase_version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
    // Issue 15, item 14: no tunnels (RFC 9110 §9.3.6).
    {"connect", "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
     501},
    {"connect_with_content_length",
     "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 5\r\n\r\nhello",
     501},
    {"connect_http_1_0", "CONNECT a:443 HTTP/1.0\r\n\r\n", 501},
    {"header_without_colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
     400},
    {"space_before_colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
    {"header_name_not_token",
     "GET / HTTP/1.1\r\nHost: a\r\nBad(Name): x\r\n\r\n", 400},
    {"control_char_in_value",
     std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n"), 400},
    {"nul_in_value",
     std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0z\r\n\r\n", 36), 400},
    {"bare_cr_in_value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400},
    {"content_length_and_chunked",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: "
     "chunked\r\n\r\n"
     "0\r\n\r\n",
     400},
    {"content_length_not_digits",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3a\r\n\r\nabc", 400},
    {"content_length_conflict",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: "
     "4\r\n\r\nabcd",
     400},
    {"negative_chunk_size",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
     "chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n",
     400},
    {"chunk_size_with_0x",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
     "chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
     400},
    {"chunk_size_plus",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
     "chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
     400},
    {"chunk_size_leading_space",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n "
     "5\r\nhello\r\n0\r\n\r\n",
     400},
    {"chunk_not_followed_by_crlf",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
     "chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
     400},
    {"chunk_size_line_bare_lf",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
     "chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
     400},
    {"final_coding_not_chunked",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, "
     "identity\r\n\r\n",
     400},
    {"unknown_coding_before_chunked",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, "
     "chunked\r\n\r\n0\r\n\r\n",
     501},
    {"missing_host", "GET / HTTP/1.1\r\n\r\n", 400},
    {"repeated_host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
    {"http2_version", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
    {"head_over_max_header_size",
     "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2000, 'x') +
         "\r\n\r\n",
     431},
    {"head_without_end_over_limit",
     "GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'x'), 431},
    {"declared_body_over_max_body_size",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n", 413},
    {"chunked_body_over_max_body_size",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" +
         std::string(100, 'x') + "\r\n1\r\nx\r\n0\r\n\r\n",
     413},
    {"chunk_size_line_over_4_KiB",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;x=" +
         std::string(5000, 'y') + "\r\nx\r\n0\r\n\r\n",
     400},
    {"trailers_over_max_header_size",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
     "0\r\nX-A: " +
         std::string(600, 'a') + "\r\nX-B: " + std::string(600, 'b') +
         "\r\n\r\n",
     431},
    {"trailer_line_bare_lf",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
     "chunked\r\n\r\n0\r\nX-Trailer: a\n\r\n",
     400},
    // max_body_size counts every chunk: small ones cannot add up past it.
    {"many_small_chunks_over_max_body_size",
     [] {
       std::string request =
           "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
       for (int i = 0; i < 101; ++i) request += "1\r\nx\r\n";
       return request + "0\r\n\r\n";
     }(),
     413},
    {"huge_chunk_size",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
     "chunked\r\n\r\nffffffffffffffffffff\r\n",
     413},
};

INSTANTIATE_TEST_SUITE_P(Rfc9112, BadRequestTest,
                         ::testing::ValuesIn(kBadRequests),
                         [](const auto& info) {
                           return std::string(info.param.name);
                         });

// Issue 15, item 14: eddy has no tunnel, so what follows a CONNECT head is
// neither a body nor a request. Before, the server read a Content-Length
// body, answered 200, and parsed the "tunnel" bytes as the next request.
TEST_F(HTTPServerTest, RegressionConnectTunnelBytesWereParsedAsARequest) {
  int calls = 0;
  start([&](HTTPServerRequest& request) {
    calls++;
    handle_request(request);
  });
  auto client = connect();
  client->send(
      "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 5\r\n\r\n"
      "hello"
      "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
  loop_.run_until([&] { return client->closed(); }, kDeadline);
  EXPECT_TRUE(client->closed());
  EXPECT_EQ(calls, 0);
  auto all = parse_responses(client->received(), {}, true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].code, 501);
  EXPECT_EQ(all[0].headers.get("Connection"), "close");
  EXPECT_EQ(client->received().find("smuggled"), std::string::npos);
}

TEST_F(HTTPServerTest, NoSmuggledRequestAfterAContentLengthConflict) {
  int calls = 0;
  start([&](HTTPServerRequest& request) {
    calls++;
    handle_request(request);
  });
  auto client = connect();
  client->send(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer-Encoding: "
      "chunked\r\n\r\n"
      "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
  loop_.run_until([&] { return client->closed(); }, kDeadline);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(client->received().find("smuggled"), std::string::npos);
}

// ---- Callback errors
// ------------------------------------------------------------------

TEST_F(HTTPServerTest, ExceptionBeforeAnyOutputGets500) {
  start([](HTTPServerRequest&) { throw std::runtime_error("handler failed"); });
  ::testing::internal::CaptureStderr();
  bool closed = false;
  Response response = exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &closed);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(response.code, 500);
  EXPECT_TRUE(closed);
  EXPECT_NE(log.find("handler failed"), std::string::npos) << log;
}

TEST_F(HTTPServerTest, ExceptionAfterOutputClosesTheConnection) {
  start([](HTTPServerRequest& request) {
    request.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
    throw std::runtime_error("half way");
  });
  ::testing::internal::CaptureStderr();
  auto client = connect();
  client->send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  loop_.run_until([&] { return client->closed(); }, kDeadline);
  ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(client->closed());
  EXPECT_EQ(client->received().find("500"), std::string::npos);
}

TEST_F(HTTPServerTest, ServerKeepsServingAfterAnException) {
  int calls = 0;
  start([&](HTTPServerRequest& request) {
    if (calls++ == 0) throw std::runtime_error("first one fails");
    handle_request(request);
  });
  ::testing::internal::CaptureStderr();
  exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ::testing::internal::GetCapturedStderr();
  Response second = exchange("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(second.code, 200);
  EXPECT_EQ(second.body, "You requested /ok\n");
}

TEST_F(HTTPServerTest, AsynchronousResponseAfterTheCallbackReturns) {
  start([this](HTTPServerRequest& request) {
    auto keep = request.shared_from_this();
    loop_.call_later(0.01, [keep] { handle_request(*keep); });
  });
  auto client = connect();
  client->send(
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  auto all = responses(*client, 2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].body, "You requested /a\n");
  EXPECT_EQ(all[1].body, "You requested /b\n");
}

TEST_F(HTTPServerTest, ClientGoneBeforeAsynchronousResponseIsHarmless) {
  std::shared_ptr<HTTPServerRequest> pending;
  start([&](HTTPServerRequest& request) {
    pending = request.shared_from_this();
  });
  auto client = connect();
  client->send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  loop_.run_until([&] { return pending != nullptr || client->closed(); },
                  kDeadline);
  ASSERT_NE(pending, nullptr);
  client->reset();
  loop_.run_until([&] { return server_->connection_count() == 0; }, kDeadline);
  EXPECT_EQ(pending->connection, nullptr);
  handle_request(*pending);  // Must not crash or throw.
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(HTTPServerTest, ServerClosingConnectionsUnderAHeldRequestIsHarmless) {
  // close_all_connections destroys the connection at once; the request the
  // application still holds must then say it has no connection (under ASan
  // a dangling one is a use-after-free).
  std::shared_ptr<HTTPServerRequest> pending;
  start([&](HTTPServerRequest& request) {
    pending = request.shared_from_this();
  });
  auto client = connect();
  client->send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  loop_.run_until([&] { return pending != nullptr || client->closed(); },
                  kDeadline);
  ASSERT_NE(pending, nullptr);
  server_->close_all_connections();
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_EQ(pending->connection, nullptr);
  handle_request(*pending);  // Must not crash or throw.
  EXPECT_TRUE(loop_.run_until([&] { return client->closed(); }, kDeadline));
}

// Issue 15, item 4: a handler answering from a timer after a pipelining
// client has reset. The write fails and closes the stream outside any stream
// callback, so the connection hears of the close only on the next loop
// iteration; finish() used to read the next request from the closed stream
// and throw "IOStream::read_until_match: the stream is closed".
TEST_F(HTTPServerTest,
       RegressionFinishThrewWhenTheStreamClosedOutsideADispatch) {
  std::shared_ptr<HTTPServerRequest> pending;
  start([&](HTTPServerRequest& request) {
    pending = request.shared_from_this();
  });
  auto client = connect();
  client->send(
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  loop_.run_until([&] { return pending != nullptr || client->closed(); },
                  kDeadline);
  ASSERT_NE(pending, nullptr);
  client->reset();
  // Called from outside the loop's stream callbacks, as a timer callback
  // would be, before the loop has seen the reset.
  EXPECT_NO_THROW(handle_request(*pending));
  EXPECT_NO_THROW(pending->finish());
  EXPECT_TRUE(loop_.run_until([&] { return server_->connection_count() == 0; },
                              kDeadline));
  EXPECT_EQ(pending->connection, nullptr);
}

// The same through the framed API: write_headers, write and finish.
TEST_F(HTTPServerTest,
       RegressionFramedFinishThrewWhenTheStreamClosedOutsideADispatch) {
  std::shared_ptr<HTTPServerRequest> pending;
  start([&](HTTPServerRequest& request) {
    pending = request.shared_from_this();
  });
  auto client = connect();
  client->send(
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  loop_.run_until([&] { return pending != nullptr || client->closed(); },
                  kDeadline);
  ASSERT_NE(pending, nullptr);
  client->reset();
  EXPECT_NO_THROW(pending->write_headers(
      ResponseStartLine{"HTTP/1.1", 200, "OK"}, HTTPHeaders{}));
  EXPECT_NO_THROW(pending->write(std::string(100000, 'x')));
  EXPECT_NO_THROW(pending->write("more"));
  EXPECT_NO_THROW(pending->finish());
  EXPECT_TRUE(loop_.run_until([&] { return server_->connection_count() == 0; },
                              kDeadline));
  EXPECT_EQ(pending->connection, nullptr);
}

// ---- Timeouts
// -------------------------------------------------------------------------

TEST_F(HTTPServerTest, IdleConnectionIsClosed) {
  HTTPServerOptions options;
  options.idle_connection_timeout = 0.2;
  start(handle_request, options);
  auto client = connect();
  client->send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(responses(*client, 1).size(), 1u);
  EXPECT_TRUE(loop_.run_until([&] { return client->closed(); }, 5.0));
}

TEST_F(HTTPServerTest, HeadTricklingSlowerThanTheIdleTimeoutIsClosed) {
  HTTPServerOptions options;
  options.idle_connection_timeout = 0.3;
  start(handle_request, options);
  auto client = connect();
  double started = loop_.time();
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ";
  size_t sent = 0;
  // One byte every 20 ms: never a complete head, always some progress.
  PeriodicCallback trickle(
      [&] {
        if (!client->closed())
          client->send(sent < head.size() ? head.substr(sent++, 1) : "x");
      },
      20, loop_);
  trickle.start();
  EXPECT_TRUE(loop_.run_until([&] { return client->closed(); }, 5.0));
  EXPECT_LT(loop_.time() - started, 2.0);
  EXPECT_EQ(client->received(), "");
}

TEST_F(HTTPServerTest, StalledBodyIsClosedByBodyTimeout) {
  HTTPServerOptions options;
  options.body_timeout = 0.2;
  start(echo, options);
  auto client = connect();
  client->send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_TRUE(loop_.run_until([&] { return client->closed(); }, 5.0));
  EXPECT_EQ(client->received(), "");
}

// ---- xheaders
// ---------------------------------------------------------------------------

TEST_F(HTTPServerTest, XHeadersOffIgnoresProxyHeaders) {
  start(echo);
  Response response = exchange(
      "GET / HTTP/1.1\r\nHost: a\r\nX-Real-Ip: 10.0.0.1\r\nX-Forwarded-Proto: "
      "https\r\n\r\n");
  EXPECT_EQ(response.headers.get("X-Echo-Remote-Ip"), "127.0.0.1");
  EXPECT_EQ(response.headers.get("X-Echo-Protocol"), "http");
}

TEST_F(HTTPServerTest, XHeadersOnUsesProxyHeaders) {
  HTTPServerOptions options;
  options.xheaders = true;
  options.trusted_downstream = {"10.0.0.9"};
  start(echo, options);
  Response real_ip = exchange(
      "GET / HTTP/1.1\r\nHost: a\r\nX-Real-Ip: 10.0.0.1\r\nX-Scheme: "
      "https\r\n\r\n");
  EXPECT_EQ(real_ip.headers.get("X-Echo-Remote-Ip"), "10.0.0.1");
  EXPECT_EQ(real_ip.headers.get("X-Echo-Protocol"), "https");
  Response forwarded = exchange(
      "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4, 5.6.7.8, "
      "10.0.0.9\r\n"
      "X-Forwarded-Proto: http, https\r\n\r\n");
  EXPECT_EQ(forwarded.headers.get("X-Echo-Remote-Ip"), "5.6.7.8");
  EXPECT_EQ(forwarded.headers.get("X-Echo-Protocol"), "https");
  Response invalid = exchange(
      "GET / HTTP/1.1\r\nHost: a\r\nX-Real-Ip: not-an-ip\r\nX-Scheme: "
      "gopher\r\n\r\n");
  EXPECT_EQ(invalid.headers.get("X-Echo-Remote-Ip"), "127.0.0.1");
  EXPECT_EQ(invalid.headers.get("X-Echo-Protocol"), "http");
}

// ---- Load
// ---------------------------------------------------------------------------------

TEST_F(HTTPServerTest, FiveHundredKeepAliveClientsTwentyRequestsEach) {
  start(handle_request);
  constexpr int kClients = 500;
  constexpr int kRequests = 20;
  std::vector<std::unique_ptr<RawClient>> clients;
  std::vector<int> answered(kClients, 0);
  std::vector<size_t> parsed(kClients, 0);
  // A client the server closed will never get its answers: stop waiting.
  auto any_closed = [&] {
    for (const auto& client : clients) {
      if (client->closed()) return true;
    }
    return false;
  };
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(connect());
    clients.back()->send("GET /c" + std::to_string(i) +
                         "/0 HTTP/1.1\r\nHost: a\r\n\r\n");
    // Let the server accept in batches, so the listen backlog never overflows.
    if (i % 100 == 99) {
      loop_.run_until(
          [&] {
            return server_->connection_count() == clients.size() ||
                   any_closed();
          },
          kDeadline);
    }
  }
  // Each client sends its next request when the previous answer arrived.
  auto progress = [&] {
    bool done = true;
    for (int i = 0; i < kClients; ++i) {
      RawClient& client = *clients[i];
      size_t consumed = 0;
      auto fresh =
          parse_responses(std::string_view(client.received()).substr(parsed[i]),
                          {}, false, &consumed);
      parsed[i] += consumed;
      for (size_t n = 0; n < fresh.size(); ++n) {
        answered[i]++;
        if (answered[i] < kRequests) {
          client.send("GET /c" + std::to_string(i) + "/" +
                      std::to_string(answered[i]) +
                      " HTTP/1.1\r\nHost: a\r\n\r\n");
        }
      }
      done = done && answered[i] == kRequests;
    }
    return done;
  };
  bool done = false;
  loop_.run_until(
      [&] {
        done = progress();
        return done || any_closed();
      },
      60.0);
  ASSERT_TRUE(done);
  for (int i = 0; i < kClients; ++i) {
    auto all = parse_responses(clients[i]->received());
    ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
    for (int r = 0; r < kRequests; ++r) {
      ASSERT_EQ(all[r].body, "You requested /c" + std::to_string(i) + "/" +
                                 std::to_string(r) + "\n");
    }
    EXPECT_FALSE(clients[i]->closed());
  }
}

}  // namespace
}  // namespace eddy
