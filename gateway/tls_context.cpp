#include "tls_context.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>

#include "stdsoap2.h"

namespace doelpoort::tls {
namespace {

// NCSC "good" TLS 1.2 suites (ECDHE with AEAD), ECDSA first since our keys are P-256.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256";
constexpr const char* kTls13Suites =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";

std::string fail(const std::string& what, const std::string& file) {
  std::string e = last_error();
  return what + (file.empty() ? "" : " " + file) + (e.empty() ? "" : ": " + e);
}

bool load_crl(SSL_CTX* ctx, const std::string& crl_file, std::string& error) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
  if (lookup == nullptr || X509_load_crl_file(lookup, crl_file.c_str(), X509_FILETYPE_PEM) <= 0) {
    error = fail("cannot load CRL", crl_file);
    return false;
  }
  // Check the whole chain; a missing or expired CRL makes verification fail (fail closed).
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  return true;
}

CtxPtr base_context(const SSL_METHOD* method, const std::string& cert, const std::string& key,
                    const std::string& ca, const std::string& crl, std::string& error) {
  CtxPtr ctx(SSL_CTX_new(method));
  if (!ctx) {
    error = fail("cannot create TLS context", "");
    return nullptr;
  }
  SSL_CTX* c = ctx.get();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                             SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1 || SSL_CTX_set_ciphersuites(c, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(c, kGroups) != 1) {
    error = fail("cannot set TLS cipher policy", "");
    return nullptr;
  }
  if (!cert.empty() && SSL_CTX_use_certificate_chain_file(c, cert.c_str()) != 1) {
    error = fail("cannot load certificate", cert);
    return nullptr;
  }
  if (!key.empty() && SSL_CTX_use_PrivateKey_file(c, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    error = fail("cannot load private key", key);
    return nullptr;
  }
  if (!cert.empty() && SSL_CTX_check_private_key(c) != 1) {
    error = fail("private key does not match certificate", cert);
    return nullptr;
  }
  if (SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr) != 1) {
    error = fail("cannot load CA file", ca);
    return nullptr;
  }
  if (!crl.empty() && !load_crl(c, crl, error)) return nullptr;
  SSL_CTX_set_verify_depth(c, 4);
  return ctx;
}

}  // namespace

std::string last_error() {
  unsigned long code = ERR_get_error();
  std::string text;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    text = buf;
  }
  ERR_clear_error();
  return text;
}

CtxPtr make_server_context(const ServerConfig& config, std::string& error) {
  CtxPtr ctx = base_context(TLS_server_method(), config.certificate, config.key, config.client_ca,
                            config.crl, error);
  if (!ctx) return nullptr;
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.client_ca.c_str());
  if (names != nullptr) SSL_CTX_set_client_CA_list(ctx.get(), names);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_SERVER);
  // Idle keep-alive connections hold no I/O buffers (~34 KiB each otherwise).
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  static const unsigned char kSessionContext[] = "doelpoort";
  SSL_CTX_set_session_id_context(ctx.get(), kSessionContext, sizeof kSessionContext - 1);
  return ctx;
}

CtxPtr make_client_context(const ClientConfig& config, std::string& error) {
  CtxPtr ctx = base_context(TLS_client_method(), config.certificate, config.key, config.ca, config.crl,
                            error);
  if (!ctx) return nullptr;
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (!config.host.empty()) {
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx.get());
    // An IP literal must match an iPAddress SAN, a name a dNSName SAN; CN is never consulted.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, config.host.c_str()) != 1) {
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                                                 X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
      if (X509_VERIFY_PARAM_set1_host(param, config.host.c_str(), 0) != 1) {
        error = fail("invalid server name", config.host);
        return nullptr;
      }
    }
    ERR_clear_error();
  }
  return ctx;
}

void attach(struct soap* soap, SSL_CTX* ctx, bool server) {
  SSL_CTX_up_ref(ctx);  // soap_done frees the context of an original soap
  soap->ctx = ctx;
  soap->ssl_flags = server ? SOAP_SSL_REQUIRE_CLIENT_AUTHENTICATION
                           : SOAP_SSL_REQUIRE_SERVER_AUTHENTICATION | SOAP_SSL_SKIP_HOST_CHECK;
}

namespace {

/// After a TLS call returned `r` <= 0: what to wait for before trying again, or 0 when the connection
/// is finished (closed, reset, TLS error).
short wants(SSL* ssl, int r, int* errnum) {
  const int err = SSL_get_error(ssl, r);
  if (err == SSL_ERROR_WANT_READ) return POLLIN;
  if (err == SSL_ERROR_WANT_WRITE) return POLLOUT;
  *errnum = err == SSL_ERROR_SYSCALL ? errno : 0;
  ERR_clear_error();
  return 0;
}

/// Waits until `fd` is ready for `events`, at most until the deadline; false when it passed.
bool wait_ready(int fd, short events, Clock::time_point deadline) {
  while (true) {
    const long long left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (r > 0) return true;  // ready, or hung up / in error: the next TLS call says which
    if (r < 0 && errno != EINTR) return false;
  }
}

}  // namespace

std::size_t read(SSL* ssl, int fd, char* buffer, std::size_t n, Clock::time_point deadline, int* errnum) {
  *errnum = 0;
  const int size = static_cast<int>(std::min<std::size_t>(n, INT_MAX));
  while (true) {
    ERR_clear_error();  // SSL_get_error reads the queue
    const int r = SSL_read(ssl, buffer, size);
    if (r > 0) return static_cast<std::size_t>(r);
    const short events = wants(ssl, r, errnum);
    if (events == 0 || !wait_ready(fd, events, deadline)) return 0;
  }
}

bool write(SSL* ssl, int fd, const char* data, std::size_t n, Clock::time_point deadline, int* errnum) {
  *errnum = 0;
  while (n > 0) {
    ERR_clear_error();
    const int r = SSL_write(ssl, data, static_cast<int>(std::min<std::size_t>(n, INT_MAX)));
    if (r > 0) {
      data += r;
      n -= static_cast<std::size_t>(r);
      continue;
    }
    const short events = wants(ssl, r, errnum);
    if (events == 0 || !wait_ready(fd, events, deadline)) return false;  // retried with the same bytes, as TLS asks
  }
  return true;
}

bool wait_readable(SSL* ssl, int fd, Clock::time_point deadline) {
  return SSL_has_pending(ssl) == 1 || wait_ready(fd, POLLIN, deadline);
}

}  // namespace doelpoort::tls
