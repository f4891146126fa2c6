// Grading tests of exercise 03.3 (chat_server.h): a real server on 127.0.0.1
// and plain-socket clients; every wait has a deadline.
#include "03_iostream/exercises/chat_server.h"

#include <sys/socket.h>

#include <memory>
#include <string>

#include "03_iostream/exercises/test_client.h"
#include "gtest/gtest.h"

namespace eddy::exercises {
namespace {

using testing::Client;

struct Fixture {
  IOLoop loop;
  std::unique_ptr<ChatServer> server;
  SocketAddress address;
  Fixture() {
    server = std::make_unique<ChatServer>(loop);
    server->listen(0, "127.0.0.1");
    address = server->listening_addresses().at(0);
  }
  // The clients (declared after the fixture) are gone by now: let the
  // server notice every close before the loop is destroyed.
  ~Fixture() {
    testing::drive(
        loop, [&] { return server->members() == 0; }, 2.0);
    loop.run_until([] { return false; }, 0.05);
  }
  // A client that has joined as `nick` (the greeting consumed).
  std::unique_ptr<Client> join(const std::string& nick) {
    auto c = std::make_unique<Client>(loop, address);
    EXPECT_TRUE(c->wait_for("nick?\n"));
    EXPECT_TRUE(c->send(nick + "\n"));
    EXPECT_TRUE(c->wait_for("welcome " + nick + "\n")) << c->received();
    c->clear();
    return c;
  }
  bool wait_members(size_t n) {
    return testing::drive(
        loop, [&] { return server->members() == n; }, testing::kDeadline);
  }
};

TEST(ChatServerTest, GreetsAndWelcomes) {
  Fixture f;
  Client c(f.loop, f.address);
  ASSERT_TRUE(c.wait_for("nick?\n"));
  EXPECT_EQ(c.received(), "nick?\n");
  ASSERT_TRUE(c.send("alice\r\n"));
  ASSERT_TRUE(c.wait_for("welcome alice\n"));
  EXPECT_EQ(c.received(), "nick?\nwelcome alice\n");
  EXPECT_TRUE(f.wait_members(1));
}

TEST(ChatServerTest, JoinIsAnnouncedToTheOthers) {
  Fixture f;
  auto alice = f.join("alice");
  auto bob = f.join("bob");
  ASSERT_TRUE(alice->wait_for("* bob joined\n"));
  bob->settle();
  EXPECT_EQ(bob->received(), "") << "no announcement to the one joining";
  EXPECT_TRUE(f.wait_members(2));
}

TEST(ChatServerTest, LinesReachEveryoneElseInOrder) {
  Fixture f;
  auto alice = f.join("alice");
  auto bob = f.join("bob");
  auto carol = f.join("carol");
  ASSERT_TRUE(alice->wait_for("* carol joined\n"));
  ASSERT_TRUE(bob->wait_for("* carol joined\n"));
  alice->clear();
  bob->clear();
  ASSERT_TRUE(alice->send("hi all\r\nsecond\n"));
  ASSERT_TRUE(bob->wait_for("alice: second\n"));
  ASSERT_TRUE(carol->wait_for("alice: second\n"));
  EXPECT_EQ(bob->received(), "alice: hi all\nalice: second\n");
  EXPECT_EQ(carol->received(), "alice: hi all\nalice: second\n");
  alice->settle();
  EXPECT_EQ(alice->received(), "") << "no echo to the sender";
}

TEST(ChatServerTest, BadAndTakenNicknamesAreRefused) {
  Fixture f;
  auto alice = f.join("alice");
  for (std::string bad :
       {"al ice", "", "way_too_long_nickname", "caf\xc3\xa9", "a:b"}) {
    Client c(f.loop, f.address);
    ASSERT_TRUE(c.wait_for("nick?\n"));
    ASSERT_TRUE(c.send(bad + "\n"));
    ASSERT_TRUE(c.wait_closed()) << "nick '" << bad << "'";
    EXPECT_EQ(c.received(), "nick?\nerror: bad nick\n")
        << "nick '" << bad << "'";
  }
  Client taken(f.loop, f.address);
  ASSERT_TRUE(taken.wait_for("nick?\n"));
  ASSERT_TRUE(taken.send("alice\n"));
  ASSERT_TRUE(taken.wait_closed());
  EXPECT_EQ(taken.received(), "nick?\nerror: nick taken\n");
  alice->settle();
  EXPECT_EQ(alice->received(), "");
  EXPECT_TRUE(f.wait_members(1));
}

TEST(ChatServerTest, QuitSaysByeAndTellsTheOthers) {
  Fixture f;
  auto alice = f.join("alice");
  auto bob = f.join("bob");
  ASSERT_TRUE(alice->wait_for("* bob joined\n"));
  alice->clear();
  ASSERT_TRUE(bob->send("/quit\n"));
  ASSERT_TRUE(bob->wait_closed());
  EXPECT_EQ(bob->received(), "bye\n");
  ASSERT_TRUE(alice->wait_for("* bob left\n"));
  EXPECT_TRUE(f.wait_members(1));
  // The nickname is free again.
  auto bob2 = f.join("bob");
  EXPECT_TRUE(f.wait_members(2));
}

TEST(ChatServerTest, DisconnectTellsTheOthers) {
  Fixture f;
  auto alice = f.join("alice");
  auto bob = f.join("bob");
  ASSERT_TRUE(alice->wait_for("* bob joined\n"));
  bob->close();
  ASSERT_TRUE(alice->wait_for("* bob left\n"));
  EXPECT_TRUE(f.wait_members(1));
}

TEST(ChatServerTest, ClientLeavingBeforeANickIsNoMember) {
  Fixture f;
  auto alice = f.join("alice");
  {
    Client c(f.loop, f.address);
    ASSERT_TRUE(c.wait_for("nick?\n"));
  }
  alice->settle(0.1);
  EXPECT_EQ(alice->received(), "");
  EXPECT_EQ(f.server->members(), 1u);
}

TEST(ChatServerTest, TooLongLineDisconnects) {
  Fixture f;
  auto alice = f.join("alice");
  auto bob = f.join("bob");
  ASSERT_TRUE(alice->wait_for("* bob joined\n"));
  alice->clear();
  ASSERT_TRUE(bob->send(std::string(ChatServer::kMaxLine + 1, 'x') + "\n"));
  ASSERT_TRUE(bob->wait_closed());
  ASSERT_TRUE(alice->wait_for("* bob left\n"));
  EXPECT_EQ(alice->received(), "* bob left\n");
}

TEST(ChatServerTest, AMemberWhoStopsReadingIsDisconnected) {
  Fixture f;
  auto alice = f.join("alice");
  auto bob = f.join("bob");
  auto carol = f.join("carol");  // Never reads again.
  int small = 4096;
  ::setsockopt(carol->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_TRUE(alice->wait_for("* carol joined\n"));
  ASSERT_TRUE(bob->wait_for("* carol joined\n"));
  alice->clear();
  bob->clear();
  std::string line(400, 'm');
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += line + "\n";
  // 16 MB through the server: far more than the kernel buffers and
  // kMaxPendingOutput can hold for carol.
  for (int round = 0; round < 400 && f.server->members() == 3; ++round) {
    ASSERT_TRUE(alice->send(batch));
    bob->settle(0.001);  // Bob keeps reading.
  }
  ASSERT_TRUE(alice->wait_for("* carol left\n")) << "carol was never dropped";
  EXPECT_TRUE(f.wait_members(2));
  // Bob kept up and still gets everything.
  ASSERT_TRUE(alice->send("last\n"));
  ASSERT_TRUE(bob->wait_for("alice: last\n", 20.0));
  EXPECT_NE(bob->received().find("* carol left\n"), std::string::npos);
}

TEST(ChatServerTest, ServerDestroyedWhileClientsAreConnected) {
  IOLoop loop;
  auto server = std::make_unique<ChatServer>(loop);
  server->listen(0, "127.0.0.1");
  SocketAddress address = server->listening_addresses().at(0);
  Client a(loop, address), b(loop, address);
  ASSERT_TRUE(a.wait_for("nick?\n"));
  ASSERT_TRUE(a.send("a\n"));
  ASSERT_TRUE(a.wait_for("welcome a\n"));
  ASSERT_TRUE(b.wait_for("nick?\n"));
  ASSERT_TRUE(b.send("b\n"));
  ASSERT_TRUE(b.wait_for("welcome b\n"));
  server.reset();
  ASSERT_TRUE(a.send("still here\n"));
  ASSERT_TRUE(b.wait_for("a: still here\n")) << "the room outlives the server";
  a.close();
  ASSERT_TRUE(b.wait_for("* a left\n"));
  b.close();
  loop.run_until([] { return false; }, 0.1);
}

}  // namespace
}  // namespace eddy::exercises
