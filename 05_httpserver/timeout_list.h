// TimeoutList: many deadlines of the same kind ("close this connection if
// its request head has not arrived by then") kept in one sorted intrusive
// list, served by a single IOLoop timeout.
//
// Why not one IOLoop timeout per connection (as Tornado's
// HTTP1Connection does)? An IOLoop timeout costs a heap entry, a callback
// map node and a std::function: about 120 bytes per idle connection, and a
// heap push/pop per request. Every connection of a server waits for the same
// few durations (idle_connection_timeout, body_timeout, the lingering close),
// so their deadlines arrive in the order they were set: appending at the
// tail keeps the list sorted in O(1), and only its front needs a loop timer.
// nginx keeps all its timers in one red-black tree for the same reason (no
// allocation per timer); a per-duration FIFO is simpler still.
//
//   TimeoutList (one per duration)       loop timer armed at the front
//   sentinel <-> [t=10.0] <-> [t=10.2] <-> [t=11.5] <-> sentinel
//                 conn 7       conn 3       conn 9
//
// The loop timer is re-armed lazily: cancelling the front entry leaves it
// armed; when it fires early it finds nothing due and re-arms for the new
// front. An entry whose deadline is earlier than the tail's (a list used for
// mixed durations) is inserted by walking back from the tail, so the order
// holds for any use; it is O(1) when durations are equal.
//
// Threads: the IOLoop's thread. Ownership: the list owns nothing; an Entry
// unlinks itself when destroyed or cancelled, and the list unlinks whatever
// is left when it is destroyed. The IOLoop must outlive the list: its
// destructor removes the loop timer, which may still be armed after the
// last entry was cancelled (it is never re-armed for an empty list).
#ifndef EDDY_05_HTTPSERVER_TIMEOUT_LIST_H_
#define EDDY_05_HTTPSERVER_TIMEOUT_LIST_H_

#include "01_ioloop/ioloop.h"

namespace eddy {

class TimeoutList {
 public:
  using Clock = IOLoop::Clock;

  struct Link {
    Link* prev = nullptr;
    Link* next = nullptr;
  };
  // Embed (or derive from) one Entry in each object that waits; it is in at
  // most one list at a time. 32 bytes, no allocation.
  class Entry : private Link {
   public:
    Entry() = default;
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    bool armed() const { return next != nullptr; }
    // Removes the entry from its list (no-op when not armed).
    void cancel();
    Clock::time_point deadline() const { return deadline_; }

   protected:
    ~Entry() { cancel(); }
    // Runs on the loop thread once the deadline has passed; the entry is
    // already unlinked and may be re-armed from here. Must not throw.
    virtual void on_deadline() = 0;

   private:
    friend class TimeoutList;
    Clock::time_point deadline_{};
  };

  TimeoutList() { sentinel_.prev = sentinel_.next = &sentinel_; }
  ~TimeoutList();
  TimeoutList(const TimeoutList&) = delete;
  TimeoutList& operator=(const TimeoutList&) = delete;

  // Links `entry` (first unlinking it from any list) to expire at
  // `deadline`. All entries of one list must use the same `loop`.
  void arm(Entry& entry, IOLoop& loop, Clock::time_point deadline);
  bool empty() const { return sentinel_.next == &sentinel_; }

 private:
  static Entry& entry_of(Link* link) { return static_cast<Entry&>(*link); }
  void schedule_front();
  void schedule(Clock::time_point at);
  void expire();

  Link sentinel_;
  IOLoop* loop_ = nullptr;
  TimeoutHandle timer_;
  Clock::time_point timer_at_{};
};

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_TIMEOUT_LIST_H_
