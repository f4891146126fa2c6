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
  // Strictly earlier than `now`: an entry re-armed from on_deadline() has a
  // deadline >= now, so this loop always ends.
  Clock::time_point now = Clock::now();
  while (!empty() && entry_of(sentinel_.next).deadline_ < now) {
    Entry& entry = entry_of(sentinel_.next);
    entry.cancel();
    entry.on_deadline();
  }
  schedule_front();
}

}  // namespace eddy
