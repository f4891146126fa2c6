// Reference solution of exercise 03.3 (03_iostream/exercises/chat_server.h).
//
// Ownership: the Room (shared by the server and every callback) holds the
// joined Members; a Member holds its stream; a stream holds its callbacks,
// which hold the Room and their Member. Those cycles end when the stream
// closes, because a closed stream destroys its callbacks. Nothing holds the
// ChatServer, so it may go first.
//
// Back-pressure: each Member counts bytes written to its stream and bytes
// the stream has confirmed handed to the kernel (a write callback runs once
// everything written before it left); the difference is the backlog.
#include "03_iostream/exercises/chat_server.h"

#include <map>
#include <string>
#include <vector>

namespace eddy::exercises {

namespace {

struct Member {
  std::shared_ptr<IOStream> stream;
  std::string nick;
  bool joined = false;
  uint64_t written = 0;  // Bytes given to stream->write.
  uint64_t flushed = 0;  // Bytes the stream confirmed as sent.
};

bool valid_nick(std::string_view nick) {
  if (nick.empty() || nick.size() > 16) return false;
  for (char c : nick) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string_view strip_eol(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Writes to one member, dropping it (closing its stream) when its backlog
// would pass kMaxPendingOutput.
void send(const std::shared_ptr<Member>& member, std::string text) {
  if (member->stream->closed()) return;
  member->written += text.size();
  if (member->written - member->flushed > ChatServer::kMaxPendingOutput) {
    member->stream->close();  // Its close callback announces the departure.
    return;
  }
  uint64_t mark = member->written;
  std::weak_ptr<Member> weak = member;
  member->stream->write(std::move(text), [weak, mark] {
    if (auto m = weak.lock()) m->flushed = std::max(m->flushed, mark);
  });
}

}  // namespace

struct ChatServer::Room : std::enable_shared_from_this<Room> {
  std::map<std::string, std::shared_ptr<Member>> members;

  void broadcast(const std::shared_ptr<Member>& from, const std::string& text) {
    // A snapshot: a send may close a member, and closing changes `members`
    // (on a later callback, but do not rely on it).
    std::vector<std::shared_ptr<Member>> targets;
    for (const auto& [nick, m] : members)
      if (m != from) targets.push_back(m);
    for (const auto& m : targets) send(m, text);
  }

  // Removes a joined member and tells the others; safe to call twice.
  void leave(const std::shared_ptr<Member>& member) {
    if (!member->joined) return;
    member->joined = false;
    auto it = members.find(member->nick);
    if (it != members.end() && it->second == member) members.erase(it);
    broadcast(member, "* " + member->nick + " left\n");
  }

  void read_nick(const std::shared_ptr<Member>& member) {
    member->stream->read_until(
        "\n",
        [room = shared_from_this(), member](std::string_view line) {
          std::string nick(strip_eol(line));
          const char* error = !valid_nick(nick) ? "error: bad nick\n"
                              : room->members.count(nick)
                                  ? "error: nick taken\n"
                                  : nullptr;
          if (error != nullptr) {
            auto stream = member->stream;
            stream->write(error, [stream] { stream->close(); });
            return;
          }
          member->nick = nick;
          member->joined = true;
          room->members[nick] = member;
          send(member, "welcome " + nick + "\n");
          room->broadcast(member, "* " + nick + " joined\n");
          room->read_lines(member);
        },
        ChatServer::kMaxLine);
  }

  void read_lines(const std::shared_ptr<Member>& member) {
    member->stream->read_until(
        "\n",
        [room = shared_from_this(), member](std::string_view line) {
          std::string_view text = strip_eol(line);
          if (text == "/quit") {
            room->leave(member);
            auto stream = member->stream;
            stream->write("bye\n", [stream] { stream->close(); });
            return;
          }
          room->broadcast(member,
                          member->nick + ": " + std::string(text) + "\n");
          room->read_lines(member);
        },
        ChatServer::kMaxLine);
  }
};

ChatServer::ChatServer(IOLoop& io_loop)
    : TCPServer(std::nullopt, kDefaultMaxBufferSize, kDefaultReadChunkSize,
                io_loop),
      room_(std::make_shared<Room>()) {}

ChatServer::~ChatServer() = default;

void ChatServer::handle_stream(std::shared_ptr<IOStream> stream,
                               const SocketAddress&) {
  auto member = std::make_shared<Member>();
  member->stream = stream;
  std::weak_ptr<Member> weak = member;
  stream->set_close_callback([room = room_, weak] {
    if (auto m = weak.lock()) room->leave(m);
  });
  send(member, "nick?\n");
  room_->read_nick(member);
}

size_t ChatServer::members() const { return room_->members.size(); }

}  // namespace eddy::exercises
