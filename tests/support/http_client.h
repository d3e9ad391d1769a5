// A plain HTTP/1.0 client for tests of the admin listener and of Prometheus: one request, read until the
// server closes (HTTP/1.0: no keep-alive, no chunking).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace doelpoort::testing {

struct HttpAnswer {
  int status = 0;  ///< 0: no HTTP answer
  std::string head;
  std::string body;
};

/// `method` `target` on 127.0.0.1:`port`, with an empty body; waits at most 10 s for the answer.
inline HttpAnswer http_request(int port, const std::string& method, const std::string& target) {
  HttpAnswer a;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return a;
  }
  const std::string req = method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
  (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[16384];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  const auto split = raw.find("\r\n\r\n");
  if (raw.compare(0, 5, "HTTP/") != 0 || split == std::string::npos) return a;
  a.status = std::stoi(raw.substr(raw.find(' ') + 1, 3));
  a.head = raw.substr(0, split);
  a.body = raw.substr(split + 4);
  return a;
}

inline HttpAnswer http_get(int port, const std::string& target) { return http_request(port, "GET", target); }

}  // namespace doelpoort::testing
