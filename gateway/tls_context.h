// TLS contexts for every connection doelpoort makes or accepts (Digikoppeling / NCSC TLS guidelines).
//
// Policy, the same for inbound and outbound: TLS 1.2 and 1.3 only; ECDHE key exchange with AES-GCM or
// ChaCha20-Poly1305 (NCSC "good"); no renegotiation, no compression, no session tickets; trust only the
// CA file given (never the system store); peers must present a certificate that chains to it; with a
// CRL file, every certificate in the chain is checked against it.
//
// gSOAP uses a context we assign to soap->ctx instead of building its own (soap_ssl_accept and
// tcp_connect call fsslauth only when ctx is null), so this is the only place TLS is configured.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

struct soap;

namespace doelpoort::tls {

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

struct ServerConfig {
  std::string certificate;  ///< PEM certificate (chain) presented to clients
  std::string key;          ///< PEM private key
  std::string client_ca;    ///< PEM CA file client certificates must chain to
  std::string crl;          ///< optional PEM CRL of client_ca; empty = no revocation check
};

struct ClientConfig {
  std::string certificate;  ///< PEM client certificate presented to the server
  std::string key;          ///< PEM private key
  std::string ca;           ///< PEM CA file the server's certificate must chain to
  std::string crl;          ///< optional PEM CRL
  std::string host;         ///< name or IP the server certificate must carry (checked in the handshake)
};

/// Builds a server context; on failure returns null and sets `error` to one line naming the file.
CtxPtr make_server_context(const ServerConfig& config, std::string& error);
/// Builds a client context that verifies the server's chain and name.
CtxPtr make_client_context(const ClientConfig& config, std::string& error);

/// Makes `soap` (an original context, not a copy) use `ctx` for accept or connect. Takes its own reference.
void attach(struct soap* soap, SSL_CTX* ctx, bool server);

/// The first OpenSSL error on this thread's queue as text (and clears the queue).
std::string last_error();

// Reads and writes on an established TLS connection over a non-blocking socket, for every connection
// the gateway serves or makes (gSOAP's frecv and fsend hooks). They try OpenSSL first and wait (poll)
// only when it asks to, never past `deadline`: gSOAP's own functions poll before every write, and
// restart their timeout with every partial read, so a peer dribbling bytes could hold one far longer.
// With OpenSSL's read-ahead on, bytes may wait in the SSL object with the socket idle: whoever parks a
// connection asks SSL_has_pending first.
using Clock = std::chrono::steady_clock;

/// Up to `n` bytes; 0 when the peer closed, TLS failed or the deadline passed (`*errnum`: errno when
/// the system failed, else 0).
std::size_t read(SSL* ssl, int fd, char* buffer, std::size_t n, Clock::time_point deadline, int* errnum);
/// All of `n` bytes, or false (as read).
bool write(SSL* ssl, int fd, const char* data, std::size_t n, Clock::time_point deadline, int* errnum);
/// Waits until there is something to read (bytes OpenSSL read ahead, or a readable or hung-up socket);
/// false when the deadline passed first. For a connection that has just sent a request: a read at once
/// would find nothing, and cost a system call before waiting anyway.
bool wait_readable(SSL* ssl, int fd, Clock::time_point deadline);

}  // namespace doelpoort::tls
