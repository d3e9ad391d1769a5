#include "redis_state_store.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "hex.h"

namespace doelpoort {
namespace {

constexpr auto kReconnectInterval = std::chrono::milliseconds(250);

// StateStore::admit's steps, in its order; the first refusal returns. KEYS: [1] the message, [2] the case's
// caseload, [3] the user's counter for the window, [4] the user's set of subjects in the period; a step
// that does not run gets '' (never touched). ARGV: [1] the message ttl, [2] the subject, [3] max
// inquiries, [4] the counter's ttl, [5] max subjects, [6] the set's ttl. A counter's or set's ttl is set
// once, when it is new, so a period is not extended by every inquiry. Answers {refusal, inquiries,
// subjects} with refusal 0 none, 1 replay, 2 not in caseload, 3 inquiries, 4 subjects.
constexpr std::string_view kAdmitLua = R"(if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return {1, 0, 0}
end
if KEYS[2] ~= '' and redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return {2, 0, 0} end
local n, d = 0, 0
if KEYS[3] ~= '' then
  n = redis.call('INCR', KEYS[3])
  if n == 1 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
  if n > tonumber(ARGV[3]) then return {3, n, 0} end
end
if KEYS[4] ~= '' then
  redis.call('SADD', KEYS[4], ARGV[2])
  if redis.call('TTL', KEYS[4]) < 0 then redis.call('EXPIRE', KEYS[4], ARGV[6]) end
  d = redis.call('SCARD', KEYS[4])
  if d > tonumber(ARGV[5]) then return {4, n, d} end
end
return {0, n, d})";

struct FreeReply {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, FreeReply>;

bool append(redisContext* c, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data()) == REDIS_OK;
}

/// Null when the connection failed (then c->err says why); a Redis error is a reply of type ERROR.
Reply next_reply(redisContext* c) {
  void* reply = nullptr;
  if (redisGetReply(c, &reply) != REDIS_OK) return nullptr;
  return Reply(static_cast<redisReply*>(reply));
}

Reply command(redisContext* c, const std::vector<std::string_view>& args) {
  return append(c, args) ? next_reply(c) : nullptr;
}

bool is_error(const Reply& r, std::string_view prefix = {}) {
  return r && r->type == REDIS_REPLY_ERROR && std::string_view(r->str, r->len).starts_with(prefix);
}

std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr);
  return to_hex(digest, size);
}

// hiredis reports a read or write timeout as the bare strerror(EAGAIN).
std::string describe(const redisContext* c, int timeout_ms) {
  if (c->err == REDIS_ERR_IO && std::string_view(c->errstr) == std::strerror(EAGAIN))
    return "no answer within " + std::to_string(timeout_ms) + " ms";
  return c->errstr;
}

std::string ttl_arg(std::chrono::seconds ttl) { return std::to_string(std::max<std::int64_t>(ttl.count(), 1)); }

timeval to_timeval(int ms) { return {ms / 1000, (ms % 1000) * 1000}; }

// An idle connection has nothing to read: readable means Redis closed it (EOF) or the socket failed.
bool still_open(const redisContext* c) {
  pollfd p{c->fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= in.size()) return false;
    const auto r = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
    if (r.ec != std::errc() || r.ptr != in.data() + i + 3) return false;
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return true;
}

bool parse_int(std::string_view text, int min, int max, int& out) {
  int value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || value < min || value > max)
    return false;
  out = value;
  return true;
}

}  // namespace

bool parse_redis_url(const std::string& url, RedisOptions& out, std::string& error) {
  // The messages never repeat the URL: it may hold a password.
  auto fail = [&](std::string_view why) {
    error = "redis URL: " + std::string(why);
    return false;
  };
  constexpr std::string_view kScheme = "redis://";
  std::string_view rest(url);
  if (rest.starts_with("rediss://")) return fail("rediss:// (TLS) is not supported: hiredis 0.14 has no TLS");
  if (!rest.starts_with(kScheme)) return fail("must start with redis://");
  rest.remove_prefix(kScheme.size());

  RedisOptions parsed = out;
  parsed.user.clear();
  parsed.password.clear();
  parsed.db = 0;
  // The last '@' ends the credentials, so an unencoded '@' or '/' in a password still works.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    if (!percent_decode(userinfo.substr(0, colon), parsed.user) ||
        (colon != std::string_view::npos && !percent_decode(userinfo.substr(colon + 1), parsed.password)))
      return fail("bad percent-encoding in user or password");
    if (parsed.user.empty() && parsed.password.empty()) return fail("empty credentials before '@'");
    rest.remove_prefix(at + 1);
  }

  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated [IPv6 address]");
    parsed.host = authority.substr(1, close - 1);
    if (authority.substr(close + 1).starts_with(':')) port = authority.substr(close + 2);
    else if (close + 1 != authority.size()) return fail("expected ':port' after the IPv6 address");
  } else {
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos) return fail("a port is required (host:port)");
    parsed.host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (parsed.host.empty()) return fail("the host is empty");
  if (parsed.host.find_first_of("?#/@ ") != std::string::npos) return fail("invalid character in the host");
  if (!parse_int(port, 1, 65535, parsed.port)) return fail("the port must be a number from 1 to 65535");
  if (slash != std::string_view::npos && !parse_int(rest.substr(slash + 1), 0, 1 << 20, parsed.db))
    return fail("the database after '/' must be a number");

  out = std::move(parsed);
  return true;
}

// A connection taken from the pool for one call. Put back on destruction; one that errored is freed.
class RedisStateStore::Lease {
 public:
  explicit Lease(RedisStateStore& store) : store_(store), status_(store.acquire(context_)) {}
  ~Lease() {
    if (context_) store_.release(context_);
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  const Status& status() const { return status_; }
  redisContext* get() const { return context_; }

  /// OK when `reply` is one of `types`; STATE_UNAVAILABLE otherwise (no connection, a Redis error).
  Status check(const Reply& reply, std::initializer_list<int> types) const {
    if (!reply) return store_.unavailable(describe(context_, store_.options_.command_timeout_ms));
    if (reply->type == REDIS_REPLY_ERROR) return store_.unavailable(std::string_view(reply->str, reply->len));
    if (std::find(types.begin(), types.end(), reply->type) == types.end())
      return store_.unavailable("unexpected reply type " + std::to_string(reply->type));
    return Status::ok();
  }

  /// EVALSHA; EVAL when Redis lost its script cache (restarted or SCRIPT FLUSH), which caches it again.
  Reply eval(const Script& script, std::initializer_list<std::string_view> keys,
             std::initializer_list<std::string_view> args) const {
    const std::string count = std::to_string(keys.size());
    std::vector<std::string_view> argv{"EVALSHA", script.sha1, count};
    argv.insert(argv.end(), keys);
    argv.insert(argv.end(), args);
    Reply reply = command(context_, argv);
    if (!is_error(reply, "NOSCRIPT")) return reply;
    argv[0] = "EVAL";
    argv[1] = script.body;
    return command(context_, argv);
  }

 private:
  RedisStateStore& store_;
  redisContext* context_ = nullptr;
  Status status_;
};

RedisStateStore::RedisStateStore(const RedisOptions& options)
    : options_(options),
      admit_script_{std::string(kAdmitLua), sha1_hex(kAdmitLua)} {}

RedisStateStore::~RedisStateStore() {
  for (redisContext* c : idle_) redisFree(c);
}

std::unique_ptr<RedisStateStore> RedisStateStore::create(const RedisOptions& options, std::string& error) {
  if (options.host.empty() || options.port < 1 || options.port > 65535) {
    error = "redis: a host and a port from 1 to 65535 are required";
    return nullptr;
  }
  if (options.pool_size < 1 || options.connect_timeout_ms < 1 || options.command_timeout_ms < 1) {
    error = "redis: pool_size, connect_timeout_ms and command_timeout_ms must be at least 1";
    return nullptr;
  }
  std::unique_ptr<RedisStateStore> store(new RedisStateStore(options));
  redisContext* c = nullptr;
  if (Status s = store->acquire(c); !s) {
    error = s.message();
    return nullptr;
  }
  store->release(c);
  return store;
}

Status RedisStateStore::unavailable(std::string_view why) const {
  return {Code::STATE_UNAVAILABLE,
          "redis " + options_.host + ":" + std::to_string(options_.port) + ": " + std::string(why)};
}

std::string RedisStateStore::key(std::string_view kind, std::initializer_list<std::string_view> parts) const {
  std::string k = options_.key_prefix;
  k.append(kind);
  for (std::string_view part : parts) {
    k.push_back(':');
    for (char ch : part) {
      if (ch == ':') k.append("%3A");
      else if (ch == '%') k.append("%25");
      else k.push_back(ch);
    }
  }
  return k;
}

redisContext* RedisStateStore::connect(std::string& error) const {
  redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                            to_timeval(options_.connect_timeout_ms));
  if (c == nullptr) {
    error = "cannot allocate a hiredis context";
    return nullptr;
  }
  // The connect timeout does not carry over to commands: without redisSetTimeout a read waits forever.
  if (c->err == 0) redisSetTimeout(c, to_timeval(options_.command_timeout_ms));
  if (c->err == 0) redisEnableKeepAlive(c);

  // AUTH, SELECT and SCRIPT LOAD in one round trip; SCRIPT LOAD lets the first EVALSHA hit after a restart.
  std::vector<std::vector<std::string_view>> setup;
  if (!options_.user.empty()) setup.push_back({"AUTH", options_.user, options_.password});
  else if (!options_.password.empty()) setup.push_back({"AUTH", options_.password});
  const std::string db = std::to_string(options_.db);
  if (options_.db != 0) setup.push_back({"SELECT", db});
  setup.push_back({"SCRIPT", "LOAD", admit_script_.body});
  for (const auto& args : setup)
    if (c->err == 0) append(c, args);
  for (std::size_t i = 0; i < setup.size() && c->err == 0; ++i) {
    Reply reply = next_reply(c);
    if (is_error(reply) && error.empty()) error.assign(reply->str, reply->len);
  }
  if (c->err != 0) error = describe(c, options_.command_timeout_ms);
  if (!error.empty()) {
    redisFree(c);
    return nullptr;
  }
  return c;
}

Status RedisStateStore::acquire(redisContext*& context) {
  std::unique_lock lock(mu_);
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.command_timeout_ms);
  for (;;) {
    while (!idle_.empty()) {
      redisContext* c = idle_.back();
      idle_.pop_back();
      lock.unlock();  // the check is a system call: other workers need not wait for it
      if (still_open(c)) {
        context = c;
        return Status::ok();
      }
      redisFree(c);
      lock.lock();
      --open_;
    }
    if (open_ < options_.pool_size) break;
    if (released_.wait_until(lock, deadline) == std::cv_status::timeout)
      return unavailable("all " + std::to_string(options_.pool_size) + " connections are busy");
  }
  if (down_) {
    // While Redis is down one call probes it per interval; the others fail at once instead of piling up.
    if (Clock::now() < next_connect_) return unavailable(last_error_ + " (retrying)");
    next_connect_ = Clock::now() + kReconnectInterval;
  }
  ++open_;
  lock.unlock();
  std::string error;
  redisContext* c = connect(error);
  lock.lock();
  if (c == nullptr) {
    --open_;
    down_ = true;
    next_connect_ = Clock::now() + kReconnectInterval;
    last_error_ = error;
    released_.notify_one();
    return unavailable(error);
  }
  down_ = false;
  context = c;
  return Status::ok();
}

void RedisStateStore::release(redisContext* context) {
  const bool broken = context->err != 0;
  {
    std::lock_guard lock(mu_);
    if (broken) --open_;
    else idle_.push_back(context);
  }
  if (broken) redisFree(context);
  released_.notify_one();
}

Status RedisStateStore::admit(const Admission& a, Admitted& out) {
  Lease lease(*this);
  if (!lease.status()) return lease.status();
  // Keys only for the steps that run (a key is never empty: it starts with the prefix and its kind).
  const std::string message = key("msg", {a.application, a.message_id});
  const std::string caseload = a.caseload_bound ? key("case", {a.case_reference}) : std::string();
  const std::string counter = a.max_inquiries > 0 ? key("cnt", {a.user, a.window}) : std::string();
  const std::string subjects = a.max_subjects > 0 ? key("subj", {a.user, a.period}) : std::string();
  const std::string max_inquiries = std::to_string(a.max_inquiries), max_subjects = std::to_string(a.max_subjects);
  const Reply reply = lease.eval(admit_script_, {message, caseload, counter, subjects},
                                 {ttl_arg(a.message_ttl), a.subject, max_inquiries, ttl_arg(a.window_ttl), max_subjects,
                                  ttl_arg(a.period_ttl)});
  if (Status s = lease.check(reply, {REDIS_REPLY_ARRAY}); !s) return s;
  if (reply->elements != 3 || reply->element[0]->type != REDIS_REPLY_INTEGER ||
      reply->element[1]->type != REDIS_REPLY_INTEGER || reply->element[2]->type != REDIS_REPLY_INTEGER ||
      reply->element[0]->integer < 0 || reply->element[0]->integer > 4)
    return unavailable("unexpected answer to the admit script");
  out.refusal = static_cast<Refusal>(reply->element[0]->integer);
  out.inquiries = static_cast<std::uint64_t>(reply->element[1]->integer);
  out.subjects = static_cast<std::uint64_t>(reply->element[2]->integer);
  return Status::ok();
}

Status RedisStateStore::replace_caseload(const std::map<std::string, std::set<std::string>>& caseload) {
  if (caseload.empty()) return Status::ok();
  Lease lease(*this);
  if (!lease.status()) return lease.status();
  redisContext* c = lease.get();
  // Per case MULTI, DEL, SADD, EXEC; all cases pipelined, then every reply read to keep the connection in step.
  std::size_t replies = 0;
  for (const auto& [case_reference, subjects] : caseload) {
    const std::string k = key("case", {case_reference});
    std::vector<std::string_view> sadd{"SADD", k};
    sadd.insert(sadd.end(), subjects.begin(), subjects.end());
    append(c, {"MULTI"});
    append(c, {"DEL", k});
    if (!subjects.empty()) append(c, sadd);
    append(c, {"EXEC"});
    replies += subjects.empty() ? 3 : 4;
  }
  Status result = Status::ok();
  for (std::size_t i = 0; i < replies; ++i) {
    const Reply reply = next_reply(c);
    if (Status s = lease.check(reply, {REDIS_REPLY_STATUS, REDIS_REPLY_ARRAY}); !s && result) result = s;
    if (!reply) break;
  }
  return result;
}

bool RedisStateStore::healthy() {
  Lease lease(*this);
  return lease.status() && lease.check(command(lease.get(), {"PING"}), {REDIS_REPLY_STATUS});
}

}  // namespace doelpoort
