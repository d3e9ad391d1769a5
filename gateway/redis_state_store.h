// StateStore in Redis, shared by several gateway instances (hiredis 0.14: plain TCP, no TLS; put Redis on
// a trusted network or behind stunnel).
//
// Guarantees, on top of StateStore's contract:
//  - One round trip per operation: admit is one Lua script (EVALSHA; EVAL once when Redis lost its script
//    cache, NOSCRIPT) doing every step (SET NX EX, SISMEMBER, INCR, SADD) atomically; replace_caseload is
//    one MULTI/EXEC (DEL + SADD) per case, all cases pipelined in one round trip. A ttl below one second
//    is raised to one second (Redis refuses EX 0).
//  - One Redis primary (standalone or under Sentinel): the script touches keys of several kinds, which
//    Redis Cluster would put in different slots (and hiredis 0.14 does not speak Cluster).
//  - Keys: `<key_prefix><kind>:<part>:<part>`, kinds `msg` (application, message id), `subj` (user,
//    period), `cnt` (user, window) and `case` (case reference). `:` and `%` inside a part are written
//    `%3A` and `%25`, so keys stay readable and unambiguous. Every value travels as a binary-safe argument.
//  - Bounded: a call that fails returns STATE_UNAVAILABLE after at most one command_timeout_ms on a pooled
//    connection, or connect_timeout_ms + 2 x command_timeout_ms on a new one (connect, set-up, command);
//    host names are resolved without a timeout, so prefer an IP address. After a failed connect, the next
//    connect is tried no sooner than 250 ms later; calls in between fail at once. When Redis comes back,
//    the next connect succeeds and the store carries on (no restart).
//  - Pooled: at most pool_size connections; a connection that errored is freed, never reused, and an idle
//    connection Redis has closed is noticed and discarded before use. A call that finds every connection
//    busy waits up to command_timeout_ms for one.
//  - The process must ignore SIGPIPE (as `doelpoort serve` does): hiredis writes with write(2).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "state_store.h"

struct redisContext;

namespace doelpoort {

struct RedisOptions {
  std::string host;
  int port = 6379;
  std::string user;      // ACL user; empty: none
  std::string password;  // with user: `AUTH user password`; alone: `AUTH password`; neither: no AUTH
  int db = 0;            // SELECT db when not 0
  int connect_timeout_ms = 200;
  int command_timeout_ms = 200;
  std::size_t pool_size = 16;
  std::string key_prefix = "doelpoort:";
};

/// Parses `redis://[user[:password]@]host:port[/db]` into `out` (host, port, user, password, db; the other
/// fields are left as they are). User and password may be percent-encoded; an IPv6 host is written in
/// brackets. `redis://user@host:port` authenticates as an ACL user without a password (`nopass`).
/// Returns false and sets `error` otherwise (e.g. `rediss://`: hiredis 0.14 has no TLS).
bool parse_redis_url(const std::string& url, RedisOptions& out, std::string& error);

class RedisStateStore final : public StateStore {
 public:
  /// Connects once (AUTH, SELECT, SCRIPT LOAD) so that a wrong address, password or db is refused at
  /// start-up. Returns nullptr and sets `error` when the options are invalid or that connect fails.
  static std::unique_ptr<RedisStateStore> create(const RedisOptions& options, std::string& error);
  ~RedisStateStore() override;
  RedisStateStore(const RedisStateStore&) = delete;
  RedisStateStore& operator=(const RedisStateStore&) = delete;

  Status admit(const Admission& admission, Admitted& out) override;
  Status replace_caseload(const std::map<std::string, std::set<std::string>>& caseload) override;
  /// PING on a pooled connection.
  bool healthy() override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Script {
    std::string body;
    std::string sha1;  // hex, computed once
  };
  class Lease;

  explicit RedisStateStore(const RedisOptions& options);
  std::string key(std::string_view kind, std::initializer_list<std::string_view> parts) const;
  Status acquire(redisContext*& context);
  void release(redisContext* context);
  redisContext* connect(std::string& error) const;
  Status unavailable(std::string_view why) const;

  const RedisOptions options_;
  const Script admit_script_;

  std::mutex mu_;
  std::condition_variable released_;
  std::vector<redisContext*> idle_;
  std::size_t open_ = 0;            // idle + leased + being connected
  bool down_ = false;               // the last connect failed
  Clock::time_point next_connect_;  // while down_: no connect before this
  std::string last_error_;          // why the last connect failed
};

}  // namespace doelpoort
