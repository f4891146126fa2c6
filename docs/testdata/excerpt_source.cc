// Quoted by docs/testdata/{fine,broken}.md (docs_check_fails_on_rot_test).
// Not compiled: only docs/check_docs.py reads it.

// DOC: testdata-turn. One turn of a toy loop: the region runs to the `}` in
// column 0 that ends this definition.
void Loop::turn() {
  int timeout = poll_timeout_ms();
  int n = poller_.wait(timeout);
  dispatch(n);
  run_callbacks();
}

void Loop::run_callbacks() {
  // DOC: testdata-swap. A region closed by an explicit end marker.
  std::vector<Callback> batch;
  batch.swap(callbacks_);
  // DOC: end testdata-swap
  for (auto& cb : batch) cb();
}
