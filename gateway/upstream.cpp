#include "upstream.h"

#include "stdsoap2.h"

namespace doelpoort {

std::unique_ptr<HttpsUpstream> HttpsUpstream::create(const SourceConfig& config, long max_reply_bytes,
                                                     std::string& error) {
  tls::CtxPtr ctx = tls::make_client_context(config.tls, error);
  if (!ctx) {
    error = "source \"" + config.name + "\": " + error;
    return nullptr;
  }
  return std::unique_ptr<HttpsUpstream>(new HttpsUpstream(config, max_reply_bytes, std::move(ctx)));
}

HttpsUpstream::HttpsUpstream(const SourceConfig& config, long max_reply_bytes, tls::CtxPtr ctx)
    : config_(config), max_reply_bytes_(max_reply_bytes), ctx_(std::move(ctx)) {}

namespace {
// soap_free alone leaks what gSOAP allocated for the last error (its fault struct): end first.
void free_soap(struct soap* s) {
  soap_destroy(s);
  soap_end(s);
  soap_free(s);
}
}  // namespace

HttpsUpstream::~HttpsUpstream() {
  for (struct soap* s : idle_) free_soap(s);
}

struct soap* HttpsUpstream::acquire(bool fresh, bool& reused) {
  if (!fresh) {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      struct soap* s = idle_.back();
      idle_.pop_back();
      reused = true;
      return s;
    }
  }
  reused = false;
  struct soap* s = soap_new1(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
  tls::attach(s, ctx_.get(), /*server=*/false);
  // Negative values are microseconds: the whole budget applies to connect, each send and each receive.
  const int us = -config_.timeout_ms * 1000;
  s->connect_timeout = s->send_timeout = s->recv_timeout = us;
  s->transfer_timeout = (config_.timeout_ms + 999) / 1000;
  s->recv_maxlength = static_cast<ULONG64>(max_reply_bytes_);
  s->max_keep_alive = 0;  // unlimited on our side; the registry decides
  return s;
}

void HttpsUpstream::release(struct soap* s, bool keep) {
  soap_destroy(s);
  soap_end(s);
  if (keep && soap_valid_socket(s->socket)) {
    std::lock_guard lock(mu_);
    if (idle_.size() < static_cast<std::size_t>(config_.connections)) {
      idle_.push_back(s);
      return;
    }
  }
  free_soap(s);
}

Status HttpsUpstream::exchange(struct soap* s, std::string_view request, const std::string& action,
                               UpstreamReply& reply) {
  s->http_content = "text/xml; charset=utf-8";
  if (soap_POST(s, config_.url.c_str(), action.c_str(), "text/xml; charset=utf-8") != SOAP_OK ||
      soap_send_raw(s, request.data(), request.size()) != SOAP_OK || soap_end_send(s) != SOAP_OK)
    return {Code::UPSTREAM_UNAVAILABLE, "cannot send to " + config_.url};
  // soap_begin_recv reads the HTTP header; 200, 400 and 500 (a SOAP Fault) leave the body to read,
  // any other status is an error whose body gSOAP has already consumed.
  s->status = 0;
  if (soap_begin_recv(s) != SOAP_OK) {
    if (s->status >= 200 && s->status < 600) {
      reply.http_status = s->status;
      return Status::ok();
    }
    return {Code::UPSTREAM_UNAVAILABLE, "no answer from " + config_.url};
  }
  reply.http_status = s->status == 0 ? 200 : s->status;
  // soap_http_get_body allocates the announced Content-Length before reading: refuse a huge one first.
  if (s->length > static_cast<ULONG64>(max_reply_bytes_)) {
    s->keep_alive = 0;
    return {Code::UPSTREAM_ERROR, "answer from " + config_.url + " announces " + std::to_string(s->length) +
                                      " bytes, over the limit of " + std::to_string(max_reply_bytes_)};
  }
  std::size_t len = 0;
  const char* body = soap_http_get_body(s, &len);
  if (body == nullptr || soap_end_recv(s) != SOAP_OK)
    return {Code::UPSTREAM_UNAVAILABLE, "incomplete answer from " + config_.url};
  reply.body.assign(body, len);
  return Status::ok();
}

Status HttpsUpstream::call(std::string_view request, const std::string& action, UpstreamReply& reply) {
  bool reused = false;
  struct soap* s = acquire(/*fresh=*/false, reused);
  Status st = exchange(s, request, action, reply);
  if (!st && reused && reply.http_status == 0) {
    // The pooled connection had gone stale; one more try on a fresh connection, and only then.
    free_soap(s);
    s = acquire(/*fresh=*/true, reused);
    reply = {};
    st = exchange(s, request, action, reply);
  }
  release(s, st.is_ok() && s->keep_alive != 0);
  return st;
}

}  // namespace doelpoort
