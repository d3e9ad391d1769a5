// Putting TLS records on the wire together: for tests of readers that must not lose bytes OpenSSL reads
// ahead (a registry connection's idle check, a client connection parked between requests).
#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <string>
#include <vector>

namespace doelpoort::testing {

/// Sends each of `records` through `ssl` as a TLS record of its own, all of them in one TCP write on
/// `fd`: the peer's first read can get every record at once.
inline bool send_records_at_once(SSL* ssl, int fd, const std::vector<std::string>& records) {
  BIO* out = BIO_new(BIO_s_mem());
  BIO* socket = SSL_get_wbio(ssl);
  BIO_up_ref(socket);  // kept, to put back
  SSL_set0_wbio(ssl, out);
  for (const auto& r : records) SSL_write(ssl, r.data(), static_cast<int>(r.size()));
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  const bool sent = ::send(fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL) == size;
  SSL_set0_wbio(ssl, socket);
  return sent;
}

}  // namespace doelpoort::testing
