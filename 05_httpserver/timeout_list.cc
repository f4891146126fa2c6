// TimeoutList: see timeout_list.h for the picture.
#include "05_httpserver/timeout_list.h"

namespace eddy {

void TimeoutList::Entry::cancel() {
  if (next == nullptr) return;
  prev->next = next;
  next->prev = prev;
  prev = next = nullptr;
}

TimeoutList::~TimeoutList() {
  if (timer_) loop_->remove_timeout(timer_);
  while (!empty()) entry_of(sentinel_.next).cancel();
}

void TimeoutList::arm(Entry& entry, IOLoop& loop, Clock::time_point deadline) {
  entry.cancel();
  loop_ = &loop;
  entry.deadline_ = deadline;
  // Walk back from the tail past later deadlines (none when every entry
  // uses the same duration).
  Link* after = sentinel_.prev;
  while (after != &sentinel_ && entry_of(after).deadline_ > deadline) {
    after = after->prev;
  }
  entry.prev = after;
  entry.next = after->next;
  after->next->prev = &entry;
  after->next = &entry;
  schedule_front();
}

// Makes sure the loop timer fires no later than the front's deadline (an
// earlier timer is left alone: it re-arms when it fires).
void TimeoutList::schedule_front() {
  if (empty()) return;
  Clock::time_point front = entry_of(sentinel_.next).deadline_;
  if (!timer_ || front < timer_at_) schedule(front);
}

void TimeoutList::schedule(Clock::time_point at) {
  if (timer_) loop_->remove_timeout(timer_);
  timer_at_ = at;
  timer_ = loop_->add_timeout(at, [this] {
    timer_ = TimeoutHandle{};
    expire();
  });
}

void TimeoutList::expire() {
  // First move every entry that is due now to a local list, then run them:
  // an entry re-armed from on_deadline() (whatever its new deadline, even
  // one already past) waits for the next expiry, so this always ends. An
  // entry destroyed or cancelled meanwhile unlinks itself from the local
  // list as from any other.
  Clock::time_point now = Clock::now();
  Link due;
  due.prev = due.next = &due;
  while (!empty() && entry_of(sentinel_.next).deadline_ <= now) {
    Link* link = sentinel_.next;
    entry_of(link).cancel();
    link->prev = due.prev;
    link->next = &due;
    due.prev->next = link;
    due.prev = link;
  }
  while (due.next != &due) {
    Entry& entry = entry_of(due.next);
    entry.cancel();
    entry.on_deadline();
  }
  schedule_front();
}

}  // namespace eddy
