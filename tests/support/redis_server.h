// A real redis-server for tests: on a free loopback port, no persistence, its own folder. Can be stopped
// and started again on the same port (to test outages); stopped and removed on destruction.
// redis-server is a required test dependency (tools/install-deps.sh installs it): when it is missing the
// constructor throws, which fails the test with that message.
#pragma once

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace doelpoort::testing {

class RedisServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-server";

  struct FreeReply {
    void operator()(redisReply* r) const { freeReplyObject(r); }
  };
  using Reply = std::unique_ptr<redisReply, FreeReply>;

  RedisServer() {
    if (::access(kBinary, X_OK) != 0)
      throw std::runtime_error(std::string(kBinary) + " not found: redis-server is required for these tests "
                               "(apt-get install redis-server)");
    // As `doelpoort serve` does: hiredis writes with write(2), which raises SIGPIPE on a closed peer.
    ::signal(SIGPIPE, SIG_IGN);
    char dir_template[] = "/tmp/dp-redis-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir_template;
    port_ = free_port();
    start();
  }
  ~RedisServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  /// Starts redis-server (again, on the same port) and waits until it answers PING.
  void start() {
    if (pid_ > 0) return;
    const std::string port = std::to_string(port_), log = dir_ + "/redis.log";
    std::vector<std::string> args{kBinary, "--port", port, "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", dir_, "--logfile", log};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, kBinary, nullptr, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start redis-server");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!answers_ping()) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-server exited at start-up; its log:\n" + read(log));
      }
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("redis-server did not answer PING within 10 s; its log:\n" + read(log));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  /// SIGTERM, then waits until it has exited and so closed every connection (SIGKILL after 10 s).
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::kill(pid_, SIGCONT);  // a paused server acts on SIGTERM only once continued
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
  }

  /// SIGSTOP / SIGCONT: a Redis that hangs (connections are still accepted by the kernel, never answered).
  void pause() const { ::kill(pid_, SIGSTOP); }
  void resume() const { ::kill(pid_, SIGCONT); }

  /// One command on a connection of its own (e.g. SCRIPT FLUSH, KEYS *); null when it could not be sent.
  Reply command(std::initializer_list<std::string_view> args) const {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (std::string_view a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, {1, 0});
    Reply reply;
    if (c != nullptr && c->err == 0) {
      redisSetTimeout(c, {1, 0});
      reply.reset(static_cast<redisReply*>(
          redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    }
    redisFree(c);
    return reply;
  }

 private:
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), size) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
      ::close(fd);
      throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
  }

  bool answers_ping() const {
    Reply reply = command({"PING"});
    return reply && reply->type == REDIS_REPLY_STATUS;
  }

  static std::string read(const std::string& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace doelpoort::testing
