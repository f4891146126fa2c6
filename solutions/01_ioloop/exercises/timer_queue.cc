// Reference solution of exercise 01.2 (01_ioloop/exercises/timer_queue.h).
//
// Callbacks live in slots; a heap entry names (slot, generation). Cancelling
// frees the slot at once (the callback is destroyed) and bumps nothing else:
// the heap entry becomes dead because the slot is no longer live with that
// generation. Dead entries are dropped when they reach the top, and the whole
// heap is filtered when it grows past 2 * live + 64 entries, which costs
// O(n) after at least n/2 cancellations: O(1) amortised per cancel.
//
//   heap_ (min on {deadline, seq})           slots_
//   [ {t=1,s=4,slot=0,g=3} {t=2,s=2,slot=1,g=1} ]   0: {cb, g=3, live}
//                                                   1: {--, g=1, free}  <- dead
#include "01_ioloop/exercises/timer_queue.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace eddy::exercises {

namespace {

struct Entry {
  TimerQueue::Clock::time_point deadline;
  uint64_t seq;
  uint32_t slot;
  uint32_t generation;
};

// std::push_heap builds a max-heap; "later" as less puts the earliest on top.
bool later(const Entry& a, const Entry& b) {
  return a.deadline != b.deadline ? a.deadline > b.deadline : a.seq > b.seq;
}

}  // namespace

struct TimerQueue::State {
  struct Slot {
    Callback callback;
    uint32_t generation = 0;
    bool live = false;
  };
  std::vector<Entry> heap;
  std::vector<Slot> slots;
  std::vector<uint32_t> free_slots;
  uint64_t next_seq = 0;
  size_t live = 0;

  bool alive(const Entry& e) const {
    const Slot& s = slots[e.slot];
    return s.live && s.generation == e.generation;
  }
  void release(uint32_t slot) {
    slots[slot].live = false;
    slots[slot].callback = nullptr;
    free_slots.push_back(slot);
    --live;
  }
  void push(const Entry& e) {
    heap.push_back(e);
    std::push_heap(heap.begin(), heap.end(), later);
  }
  Entry pop() {
    std::pop_heap(heap.begin(), heap.end(), later);
    Entry e = heap.back();
    heap.pop_back();
    return e;
  }
  void maybe_compact() {
    if (heap.size() <= 2 * live + 64) return;
    std::erase_if(heap, [this](const Entry& e) { return !alive(e); });
    std::make_heap(heap.begin(), heap.end(), later);
  }
  void drop_dead_top() {
    while (!heap.empty() && !alive(heap.front())) pop();
  }
};

TimerQueue::TimerQueue() : state_(std::make_unique<State>()) {}
TimerQueue::~TimerQueue() = default;

TimerQueue::Handle TimerQueue::add(Clock::time_point deadline,
                                   Callback callback) {
  State& s = *state_;
  uint32_t slot;
  if (!s.free_slots.empty()) {
    slot = s.free_slots.back();
    s.free_slots.pop_back();
  } else {
    slot = static_cast<uint32_t>(s.slots.size());
    s.slots.emplace_back();
  }
  State::Slot& entry = s.slots[slot];
  ++entry.generation;
  entry.callback = std::move(callback);
  entry.live = true;
  ++s.live;
  s.push({deadline, s.next_seq++, slot, entry.generation});
  s.maybe_compact();
  return Handle{(uint64_t{entry.generation} << 32) | (uint64_t{slot} + 1)};
}

bool TimerQueue::cancel(Handle handle) {
  State& s = *state_;
  if (!handle) return false;
  uint64_t slot = (handle.id & 0xffffffffu) - 1;
  auto generation = static_cast<uint32_t>(handle.id >> 32);
  if (slot >= s.slots.size()) return false;
  State::Slot& entry = s.slots[slot];
  if (!entry.live || entry.generation != generation) return false;
  s.release(static_cast<uint32_t>(slot));
  s.maybe_compact();
  return true;
}

size_t TimerQueue::run_due(Clock::time_point now) {
  State& s = *state_;
  // 1. Take the due batch out of the heap, so timers added by the callbacks
  //    cannot join it.
  std::vector<Entry> batch;
  while (!s.heap.empty() && s.heap.front().deadline <= now) {
    Entry e = s.pop();
    if (s.alive(e)) batch.push_back(e);
  }
  // 2. Run it in order, re-checking liveness: an earlier callback may cancel.
  size_t ran = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!s.alive(batch[i])) continue;
    Callback callback = std::move(s.slots[batch[i].slot].callback);
    s.release(batch[i].slot);
    try {
      callback();
    } catch (...) {
      for (size_t j = i + 1; j < batch.size(); ++j)
        if (s.alive(batch[j])) s.push(batch[j]);
      throw;
    }
    ++ran;
  }
  s.maybe_compact();
  return ran;
}

std::optional<TimerQueue::Clock::time_point> TimerQueue::next_deadline() {
  state_->drop_dead_top();
  if (state_->heap.empty()) return std::nullopt;
  return state_->heap.front().deadline;
}

size_t TimerQueue::size() const { return state_->live; }

size_t TimerQueue::heap_size() const { return state_->heap.size(); }

}  // namespace eddy::exercises
