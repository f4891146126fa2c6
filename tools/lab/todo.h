// eddy::lab::todo: how a lab starter says "not written yet".
//
// Every function body a student writes starts as a call to todo(), which
// throws std::logic_error("TODO(lab 01): IOLoop::run_turn ..."). A starter
// therefore fails its chapter's tests fast and with a message that names the
// missing piece, instead of hanging or crashing; the check
// //solutions/NN_name/lab:starter_fails_test looks for that message.
//
// Not part of any chapter: lab starters (NN_name/lab/*.cc) include it, the
// production code never does.
#ifndef EDDY_TOOLS_LAB_TODO_H_
#define EDDY_TOOLS_LAB_TODO_H_

#include <stdexcept>
#include <string>

namespace eddy::lab {

// Throws std::logic_error("TODO(lab <lab>): <what> is not written yet (see
// <lab's README>)"). `lab` is the lab's number ("01"), `what` the function.
[[noreturn]] inline void todo(const char* lab, const char* what) {
  throw std::logic_error(std::string("TODO(lab ") + lab + "): " + what +
                         " is not written yet (see the lab's README.md)");
}

}  // namespace eddy::lab

#endif  // EDDY_TOOLS_LAB_TODO_H_
