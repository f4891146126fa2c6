// Grading tests of exercise 03.1 (shout_server.h). A real server on
// 127.0.0.1 and plain-socket clients; every wait has a deadline.
#include "03_iostream/exercises/shout_server.h"

#include <memory>
#include <string>
#include <vector>

#include "03_iostream/exercises/test_client.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

using testing::Client;

struct Fixture {
  IOLoop loop;
  std::unique_ptr<ShoutServer> server;
  SocketAddress address;
  Fixture() {
    server = std::make_unique<ShoutServer>(loop);
    server->listen(0, "127.0.0.1");
    address = server->listening_addresses().at(0);
  }
  // The clients (declared after the fixture) are gone by now: let the
  // server notice, so that no stream is left open when the loop is
  // destroyed (a stream whose pending read callback holds it would leak).
  ~Fixture() {
    testing::drive(
        loop, [&] { return server->open_connections() == 0; }, 2.0);
  }
  // The count, after letting the loop notice what happened.
  bool wait_open(size_t n) {
    return testing::drive(
        loop, [&] { return server->open_connections() == n; },
        testing::kDeadline);
  }
};

TEST(ShoutServerTest, ShoutsALineBack) {
  Fixture f;
  Client c(f.loop, f.address);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("hello, World 42\n"));
  ASSERT_TRUE(c.wait_for("\n"));
  EXPECT_EQ(c.received(), "HELLO, WORLD 42\n");
}

TEST(ShoutServerTest, KeepsCrlfAndNonAsciiBytes) {
  Fixture f;
  Client c(f.loop, f.address);
  ASSERT_TRUE(c.send("caf\xc3\xa9 ok\r\n"));
  ASSERT_TRUE(c.wait_for("\r\n"));
  EXPECT_EQ(c.received(), "CAF\xc3\xa9 OK\r\n");
}

TEST(ShoutServerTest, PipelinedLinesAreAnsweredInOrder) {
  Fixture f;
  Client c(f.loop, f.address);
  std::string request, want;
  for (int i = 0; i < 200; ++i) {
    request += "line " + std::to_string(i) + "\n";
    want += "LINE " + std::to_string(i) + "\n";
  }
  ASSERT_TRUE(c.send(request));
  ASSERT_TRUE(c.wait_for("LINE 199\n"));
  EXPECT_EQ(c.received(), want);
}

TEST(ShoutServerTest, ALineInManyPackets) {
  Fixture f;
  Client c(f.loop, f.address);
  for (char ch : std::string("slowly\n")) {
    ASSERT_TRUE(c.send(std::string(1, ch)));
    c.settle(0.01);
  }
  ASSERT_TRUE(c.wait_for("\n"));
  EXPECT_EQ(c.received(), "SLOWLY\n");
}

TEST(ShoutServerTest, QuitSaysByeAndCloses) {
  Fixture f;
  Client c(f.loop, f.address);
  ASSERT_TRUE(c.send("one\nquit\r\ntwo\n"));
  ASSERT_TRUE(c.wait_closed());
  EXPECT_EQ(c.received(), "ONE\nbye\n");
  EXPECT_TRUE(f.wait_open(0));
}

TEST(ShoutServerTest, TooLongLineClosesTheConnection) {
  Fixture f;
  Client c(f.loop, f.address);
  ASSERT_TRUE(c.send(std::string(ShoutServer::kMaxLine - 1, 'a') + "\n"));
  ASSERT_TRUE(c.wait_for("\n"));
  EXPECT_EQ(c.received().size(), ShoutServer::kMaxLine);
  c.clear();
  ASSERT_TRUE(c.send(std::string(ShoutServer::kMaxLine + 10, 'b') + "\n"));
  ASSERT_TRUE(c.wait_closed());
  EXPECT_EQ(c.received(), "");
  EXPECT_TRUE(f.wait_open(0));
}

TEST(ShoutServerTest, CountsOpenConnectionsAndNoticesClientsLeaving) {
  Fixture f;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<Client>(f.loop, f.address));
    ASSERT_TRUE(clients.back()->send("hi\n"));
    ASSERT_TRUE(clients.back()->wait_for("HI\n"));
  }
  EXPECT_TRUE(f.wait_open(5)) << f.server->open_connections();
  clients[0]->close();
  clients[3]->close();
  EXPECT_TRUE(f.wait_open(3)) << f.server->open_connections();
  clients.clear();
  EXPECT_TRUE(f.wait_open(0)) << f.server->open_connections();
}

TEST(ShoutServerTest, ServerDestroyedBeforeItsConnectionsClose) {
  // A stream callback must not touch the destroyed server.
  IOLoop loop;
  auto server = std::make_unique<ShoutServer>(loop);
  server->listen(0, "127.0.0.1");
  SocketAddress address = server->listening_addresses().at(0);
  Client c(loop, address);
  ASSERT_TRUE(c.send("a\n"));
  ASSERT_TRUE(c.wait_for("A\n"));
  server.reset();
  ASSERT_TRUE(c.send("b\n"));
  ASSERT_TRUE(c.wait_for("B\n")) << "open connections keep working";
  c.close();
  loop.run_until([] { return false; }, 0.1);
}

}  // namespace
}  // namespace eddy::exercises
