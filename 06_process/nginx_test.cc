// docs/deployment.md, tested: Debian's nginx (its own prefix and config
// under TEST_TMPDIR, loopback only) in front of two //06_process:server
// instances started with --xheaders. Checks that nginx spreads requests over
// both, that the tutorial's body arrives intact, and that each server sees
// the client's address (from X-Real-Ip), not nginx's.
//
// The client connects from 127.0.0.5 (any 127.x address is loopback on
// Linux) while nginx reaches the servers from 127.0.0.1, so the two are
// told apart. The servers run with EDDY_LOG_LEVEL=info and the test reads
// their access lines ("200 GET /uri (remote_ip) 0.12ms") from their stderr.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "02_netutil/netutil.h"
#include "06_process/test_util.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

using namespace eddy::testing;

constexpr double kDeadline = 20;
constexpr char kNginx[] = "/usr/sbin/nginx";
constexpr char kClientIp[] = "127.0.0.5";

template <typename Condition>
bool eventually(Condition condition, double timeout = kDeadline) {
  auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(timeout));
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    struct timespec pause {
      0, 5 * 1000 * 1000
    };  // Between looks; re-checked.
    ::nanosleep(&pause, nullptr);
  }
  return true;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The value of header `name` (exact case, as nginx writes it), or "".
std::string header(const std::string& response, const std::string& name) {
  size_t at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return response.substr(at, response.find("\r\n", at) - at);
}

std::string body(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

// A port that was free a moment ago (nginx cannot report a port 0 choice).
int free_port() {
  std::vector<Socket> sockets = bind_sockets(0, "127.0.0.1");
  return SocketAddress::local_of(sockets[0].get()).port();
}

std::string nginx_config(const std::string& prefix, int listen_port,
                         const std::vector<int>& upstream_ports) {
  std::string servers;
  for (int port : upstream_ports) {
    servers += "    server 127.0.0.1:" + std::to_string(port) + ";\n";
  }
  // The same proxy settings docs/deployment.md recommends, plus the
  // upstream's address as a response header so the test sees who answered.
  // As root (CI containers), nginx would chown its temp paths to "nobody",
  // which a sandbox's user namespace may not map: stay root.
  std::string user = ::geteuid() == 0 ? "user root;\n" : "";
  return "daemon off;\n"
         "master_process off;\n" +
         user + "pid " + prefix +
         "/nginx.pid;\n"
         "error_log stderr warn;\n"
         "events { worker_connections 64; }\n"
         "http {\n"
         "  access_log off;\n"
         "  client_body_temp_path " +
         prefix +
         "/client_body;\n"
         "  proxy_temp_path " +
         prefix +
         "/proxy;\n"
         "  fastcgi_temp_path " +
         prefix +
         "/fastcgi;\n"
         "  uwsgi_temp_path " +
         prefix +
         "/uwsgi;\n"
         "  scgi_temp_path " +
         prefix +
         "/scgi;\n"
         "  upstream eddy {\n" +
         servers +
         "    keepalive 8;\n  }\n"
         "  server {\n"
         "    listen 127.0.0.1:" +
         std::to_string(listen_port) +
         ";\n"
         "    location / {\n"
         "      proxy_pass http://eddy;\n"
         "      proxy_http_version 1.1;\n"
         "      proxy_set_header Connection \"\";\n"
         "      proxy_set_header Host $http_host;\n"
         "      proxy_set_header X-Real-Ip $remote_addr;\n"
         "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
         "      proxy_set_header X-Scheme $scheme;\n"
         "      add_header X-Upstream $upstream_addr always;\n"
         "    }\n"
         "  }\n"
         "}\n";
}

class NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kNginx, X_OK) != 0) {
      GTEST_SKIP() << kNginx << " is not installed (Debian's nginx-light; "
                   << "tools/bazel installs it from tools/packages.txt)";
    }
    tmp_ = std::getenv("TEST_TMPDIR");
  }

  void TearDown() override {
    for (Program& program : programs_) {
      if (program.pid > 0 && process_alive(program.pid)) {
        ::kill(program.pid, SIGKILL);
        wait_for_pid(program.pid, kDeadline);
      }
      if (program.stdout_fd >= 0) ::close(program.stdout_fd);
    }
  }

  // Starts //06_process:server --xheaders with one worker; returns its port.
  int start_server(int index) {
    std::string log = tmp_ + "/server-" + std::to_string(index) + ".stderr";
    server_logs_.push_back(log);
    Program server =
        start_program({runfile("06_process/server"), "--address=127.0.0.1",
                       "--port=0", "--processes=1", "--xheaders"},
                      log, {"EDDY_LOG_LEVEL=info"});
    programs_.push_back(server);
    std::string buffer;
    std::string line =
        read_line(server.stdout_fd, buffer, kDeadline).value_or("");
    size_t at = line.find("http://127.0.0.1:");
    if (at == std::string::npos) {
      ADD_FAILURE() << "server did not start: " << line << read_file(log);
      return -1;
    }
    return std::atoi(line.c_str() + at + 17);
  }

  // Starts nginx on a free port; returns it once nginx answers.
  int start_nginx(const std::vector<int>& upstream_ports) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      int port = free_port();
      std::string prefix = tmp_ + "/nginx-" + std::to_string(attempt);
      std::string config = prefix + "/nginx.conf";
      ::mkdir(prefix.c_str(), 0700);
      std::ofstream(config) << nginx_config(prefix, port, upstream_ports);
      nginx_log_ = prefix + "/stderr";
      Program nginx = start_program(
          {kNginx, "-p", prefix + "/", "-c", config, "-e", "stderr"},
          nginx_log_);
      programs_.push_back(nginx);
      bool up = eventually(
          [&] {
            return !process_alive(nginx.pid) ||
                   !http_get(port, "/ready", 1).empty();
          },
          kDeadline);
      if (up && process_alive(nginx.pid)) {
        nginx_pid_ = nginx.pid;
        return port;
      }
      // Lost the race for the port (or failed): try another one.
      wait_for_pid(nginx.pid, kDeadline);
    }
    ADD_FAILURE() << "nginx did not start: " << read_file(nginx_log_);
    return -1;
  }

  std::string tmp_;
  std::vector<Program> programs_;
  std::vector<std::string> server_logs_;
  std::string nginx_log_;
  pid_t nginx_pid_ = -1;
};

TEST_F(NginxTest, SpreadsRequestsOverTwoServersThatSeeTheClientsAddress) {
  int first = start_server(0);
  int second = start_server(1);
  ASSERT_GT(first, 0);
  ASSERT_GT(second, 0);
  int nginx = start_nginx({first, second});
  ASSERT_GT(nginx, 0);

  constexpr int kRequests = 20;
  std::map<std::string, int> answered_by;
  for (int i = 0; i < kRequests; ++i) {
    std::string uri = "/via-nginx/" + std::to_string(i);
    std::string response = http_get(nginx, uri, kDeadline, kClientIp);
    ASSERT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
    // The tutorial's body, intact through the proxy.
    EXPECT_EQ(body(response), "You requested " + uri + "\n");
    ++answered_by[header(response, "X-Upstream")];
  }
  std::string first_address = "127.0.0.1:" + std::to_string(first);
  std::string second_address = "127.0.0.1:" + std::to_string(second);
  EXPECT_EQ(answered_by.size(), 2u);
  EXPECT_GT(answered_by[first_address], 0) << "nothing reached " << first;
  EXPECT_GT(answered_by[second_address], 0) << "nothing reached " << second;

  // Each server logged its share with the client's address, never nginx's.
  std::string logs[2];
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < 2; ++i) logs[i] = read_file(server_logs_[i]);
    return count(logs[0] + logs[1], "GET /via-nginx/") == kRequests;
  })) << logs[0]
      << logs[1];
  for (int i = 0; i < 2; ++i) {
    EXPECT_GT(count(logs[i], "GET /via-nginx/"), 0u) << logs[i];
    EXPECT_EQ(count(logs[i], "GET /via-nginx/"),
              count(logs[i], std::string("(") + kClientIp + ")"))
        << logs[i];
    EXPECT_EQ(count(logs[i], "(127.0.0.1)"), count(logs[i], "GET /ready"))
        << "only nginx's readiness probe came from 127.0.0.1: " << logs[i];
  }

  // Shut everything down in order: nginx, then the servers (exit 0 each).
  ::kill(nginx_pid_, SIGTERM);
  EXPECT_TRUE(wait_for_pid(nginx_pid_, kDeadline).has_value());
  for (int i = 0; i < 2; ++i) {
    ::kill(programs_[i].pid, SIGTERM);
    std::optional<int> status = wait_for_pid(programs_[i].pid, kDeadline);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << read_file(server_logs_[i]);
  }
}

}  // namespace
}  // namespace eddy
