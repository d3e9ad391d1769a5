// The simulated registries' transport: HTTPS with client certificates (mutual TLS), HTTP/1.1
// keep-alive, one thread per connection (at most max_connections; further clients wait in the listen
// backlog). gSOAP is used only for TCP, TLS and HTTP framing; every request goes to RequestHandler.
//
// gSOAP HTTP handling, as read in stdsoap2.cpp 2.8.124, and what is done about it here:
//  - soap_begin_recv parses the request line and headers; a GET is answered inside it by soap->fget
//    (returns SOAP_STOP), PUT/PATCH/DELETE/HEAD/OPTIONS by their hooks (here: 405, connection closed).
//  - Input that is not an HTTP request (no method line) comes back as SOAP_OK with status != SOAP_POST:
//    answered 400 and closed.
//  - soap_http_get_body allocates Content-Length bytes before reading: lengths over the limit are
//    refused (413) first. recv_maxlength bounds chunked bodies. MIME/DIME and compressed requests are
//    refused (415): get_body does not read attachments, and nothing here needs compression.
//  - Keep-alive follows the generated soap_serve loop: keep_alive counts down from max_keep_alive;
//    HTTP/1.0 and "Connection: close" set it to 0, and the last reply says "Connection: close".
//  - Replies use soap_response(SOAP_FILE + status), which buffers (SOAP_IO_STORE) and so sends a
//    Content-Length and keeps the connection open.
//  - SSL_write can raise SIGPIPE (gSOAP uses MSG_NOSIGNAL only for plain send): SIGPIPE is ignored.
#pragma once

#include <iosfwd>
#include <string>

#include "fault_mode.h"
#include "request_handler.h"
#include "tls_context.h"

namespace doelpoort::sim {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  ///< 0: any free port (see port_file)
  tls::ServerConfig tls;
  std::string port_file;  ///< if set, receives the bound port (written to a temporary file, then renamed)
  FaultSpec fault;  ///< deliberate misbehaviour (fault_mode.h); none by default
  int max_connections = 64;
  int handshake_timeout_seconds = 5;
  int io_timeout_seconds = 10;  ///< per read or write; also how long an idle keep-alive connection stays
  int request_timeout_seconds = 30;  ///< whole request, from waiting for it to its last byte (slow senders)
  int max_requests_per_connection = 1000;
};

/// Serves until SIGTERM or SIGINT, then closes every connection and returns 0. Once listening it writes
/// the port file and prints "doelpoort-sim: listening on HOST:PORT" to `out` (flushed). Returns 1,
/// after one line on `err`, when it cannot start. While serving, failed TLS handshakes are logged to
/// stderr, one line each. Call soap_ssl_init() and xml::init() first.
int run_server(const ServerOptions& options, const RequestHandler& handler, std::ostream& out, std::ostream& err);

}  // namespace doelpoort::sim
