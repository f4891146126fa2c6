// Reference solution of exercise 02.3
// (02_netutil/exercises/rate_limited_accept.h).
//
// Wraps add_accept_handler. When a window's budget is spent, the inner
// remover is called from inside the inner accept callback (which makes it
// accept nothing more) and a timeout at the next window's start adds a fresh
// inner handler. Ownership: the inner callback, the resume timeout and the
// returned remover hold the shared State; State holds the inner remover, a
// cycle that the budget pause and our remover break by dropping it.
#include "02_netutil/exercises/rate_limited_accept.h"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <utility>

namespace eddy::exercises {

namespace {

struct State {
  IOLoop* loop = nullptr;
  int listener = -1;
  AcceptCallback callback;
  int max_per_second = 0;
  RateLimitStats own_stats;
  RateLimitStats* stats = nullptr;
  double window_start = 0;  // IOLoop::time() at the start of the window.
  int accepted_in_window = 0;
  std::function<void()> inner_remove;  // Set while the listener is watched.
  TimeoutHandle resume;                // Set while paused.
  bool removed = false;

  // Moves window_start to the window containing `now`.
  void advance_window(double now) {
    if (now >= window_start + 1.0) {
      window_start += std::floor(now - window_start);
      accepted_in_window = 0;
    }
  }
};

void watch(const std::shared_ptr<State>& state);

void on_accept(const std::shared_ptr<State>& state, Socket connection,
               const SocketAddress& address) {
  state->advance_window(state->loop->time());
  state->accepted_in_window++;
  state->stats->accepted++;
  state->callback(std::move(connection), address);
  if (state->removed) return;  // The callback called our remover.
  if (state->accepted_in_window < state->max_per_second) return;
  // Budget spent: unwatch now, watch again when the next window starts.
  std::function<void()> inner_remove = std::move(state->inner_remove);
  state->inner_remove = nullptr;
  inner_remove();
  state->stats->pauses++;
  state->resume = state->loop->add_timeout(state->window_start + 1.0, [state] {
    state->resume = TimeoutHandle{};
    if (state->removed) return;
    state->advance_window(state->loop->time());
    watch(state);
  });
}

void watch(const std::shared_ptr<State>& state) {
  state->inner_remove = add_accept_handler(
      state->listener,
      [state](Socket connection, const SocketAddress& address) {
        on_accept(state, std::move(connection), address);
      },
      *state->loop);
}

}  // namespace

std::function<void()> add_rate_limited_accept_handler(int listener,
                                                      AcceptCallback callback,
                                                      int max_per_second,
                                                      IOLoop& io_loop,
                                                      RateLimitStats* stats) {
  if (max_per_second < 1)
    throw std::invalid_argument("max_per_second must be at least 1");
  auto state = std::make_shared<State>();
  state->loop = &io_loop;
  state->listener = listener;
  state->callback = std::move(callback);
  state->max_per_second = max_per_second;
  state->stats = stats != nullptr ? stats : &state->own_stats;
  state->window_start = io_loop.time();
  watch(state);
  return [state] {
    if (state->removed) return;
    state->removed = true;
    if (state->inner_remove) {
      std::function<void()> inner_remove = std::move(state->inner_remove);
      state->inner_remove = nullptr;
      inner_remove();
    }
    if (state->resume) {
      state->loop->remove_timeout(state->resume);
      state->resume = TimeoutHandle{};
    }
  };
}

}  // namespace eddy::exercises
