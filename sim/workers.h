// The simulator's connection threads: one per connection, each joined when it ends, and a stop that
// wakes them all. (Thread per connection with a cap is enough for a test registry; the gateway itself
// needs the readiness-based design in DESIGN.md.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace doelpoort::sim {

/// The connection threads and their sockets. Every thread is joined: a detached one could still be
/// releasing OpenSSL's per-thread state while the process exits. Thread-safe.
class Workers {
 public:
  /// Runs `work` for the connection on socket `fd` on a new thread with SIGTERM and SIGINT blocked,
  /// so that the signals reach the acceptor. `work` must call finished() as its last step.
  void start(int fd, std::function<void()> work);
  /// Called just before `fd` is closed, so that a reused number is never shut down by stop_all().
  void forget(int fd);
  void finished();
  /// Joins finished threads and waits up to 200 ms until fewer than `limit` run; false if still full.
  bool wait_for_room(std::size_t limit);
  /// Shuts down every open socket (the workers see end of input) and joins the workers; false if
  /// some did not finish within `timeout`.
  bool stop_all(std::chrono::seconds timeout);

 private:
  void join_finished();  // with mutex_ held

  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<int> sockets_;
  std::map<std::thread::id, std::thread> threads_;
  std::vector<std::thread::id> finished_;
};

}  // namespace doelpoort::sim
