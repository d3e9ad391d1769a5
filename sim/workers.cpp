#include "workers.h"

#include <pthread.h>
#include <sys/socket.h>

#include <csignal>

namespace doelpoort::sim {

void Workers::start(int fd, std::function<void()> work) {
  sigset_t stop_signals;
  sigset_t previous;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  std::lock_guard lock(mutex_);  // finished() cannot run before the thread is listed
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);  // the new thread inherits the mask
  std::thread thread(std::move(work));
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  sockets_.insert(fd);
  threads_.emplace(thread.get_id(), std::move(thread));
}

void Workers::forget(int fd) {
  std::lock_guard lock(mutex_);
  sockets_.erase(fd);
}

void Workers::finished() {
  std::lock_guard lock(mutex_);
  finished_.push_back(std::this_thread::get_id());
  changed_.notify_all();
}

bool Workers::wait_for_room(std::size_t limit) {
  std::unique_lock lock(mutex_);
  join_finished();
  changed_.wait_for(lock, std::chrono::milliseconds(200),
                    [&] { return threads_.size() - finished_.size() < limit; });
  join_finished();
  return threads_.size() < limit;
}

bool Workers::stop_all(std::chrono::seconds timeout) {
  std::unique_lock lock(mutex_);
  for (int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
  if (!changed_.wait_for(lock, timeout, [&] { return finished_.size() == threads_.size(); })) return false;
  join_finished();
  return true;
}

void Workers::join_finished() {
  for (const std::thread::id& id : finished_) {  // a finished thread takes mutex_ no more: join is quick
    auto it = threads_.find(id);
    it->second.join();
    threads_.erase(it);
  }
  finished_.clear();
}

}  // namespace doelpoort::sim
