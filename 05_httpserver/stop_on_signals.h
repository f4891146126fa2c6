// Example support. stop_on_signals: make SIGINT and SIGTERM stop an IOLoop
// cleanly, through a signalfd watched by the loop (no work in a signal
// handler). Used by the example servers so Ctrl-C or `kill` ends them with exit
// status 0.
//
// Blocks the signals in the calling thread (call it on the main thread
// before starting other threads). Throws std::system_error if signalfd fails.
// The returned descriptor must outlive the loop's run.
#ifndef EDDY_05_HTTPSERVER_STOP_ON_SIGNALS_H_
#define EDDY_05_HTTPSERVER_STOP_ON_SIGNALS_H_

#include <string>

#include "01_ioloop/ioloop.h"
#include "02_netutil/file_descriptor.h"
#include "03_iostream/tcpserver.h"

namespace eddy {

FileDescriptor stop_on_signals(IOLoop& io_loop);

// "http://0.0.0.0:8888/ and http://[::]:8888/": the addresses a server
// listens on, for the one line an example prints at startup.
std::string describe_listening(const TCPServer& server,
                               const char* scheme = "http");

}  // namespace eddy

#endif  // EDDY_05_HTTPSERVER_STOP_ON_SIGNALS_H_
