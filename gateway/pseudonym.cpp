#include "pseudonym.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "hex.h"

namespace doelpoort {

namespace {

bool from_hex(const std::string& hex, std::array<unsigned char, 32>& out) {
  if (hex.size() != 64) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (int j = 0; j < 2; ++j) {
      char c = hex[2 * i + static_cast<std::size_t>(j)];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out[i] = static_cast<unsigned char>(v);
  }
  return true;
}

bool create_key(const std::string& path, std::string& error) {
  std::array<unsigned char, 32> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    error = "cannot make a random subject key";
    return false;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  std::string text = to_hex(key.data(), key.size()) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) error = path + ": cannot write subject key";
  return ok;
}

}  // namespace

std::optional<Pseudonymiser> Pseudonymiser::open(const std::string& path, bool create, std::string& error) {
  if (create && ::access(path.c_str(), F_OK) != 0 && !create_key(path, error)) return std::nullopt;
  std::ifstream in(path);
  std::string hex;
  if (!in || !(in >> hex)) {
    error = path + ": cannot read subject key";
    return std::nullopt;
  }
  std::array<unsigned char, 32> key{};
  if (!from_hex(hex, key)) {
    error = path + ": subject key must be 64 hexadecimal characters";
    return std::nullopt;
  }
  return Pseudonymiser(key);
}

Pseudonymiser::Pseudonymiser(const std::array<unsigned char, 32>& key) : key_(key) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  std::shared_ptr<EVP_MAC_CTX> ctx(hmac != nullptr ? EVP_MAC_CTX_new(hmac) : nullptr, EVP_MAC_CTX_free);
  EVP_MAC_free(hmac);  // the context holds its own reference
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (ctx && EVP_MAC_init(ctx.get(), key_.data(), key_.size(), params) == 1) keyed_ = std::move(ctx);
}

std::string Pseudonymiser::pseudonym(std::string_view bsn) const {
  if (bsn.empty()) return {};
  unsigned char mac[32];
  const auto* data = reinterpret_cast<const unsigned char*>(bsn.data());
  if (keyed_) {
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(keyed_.get()), EVP_MAC_CTX_free);
    std::size_t len = 0;
    if (ctx && EVP_MAC_update(ctx.get(), data, bsn.size()) == 1 && EVP_MAC_final(ctx.get(), mac, &len, sizeof mac) == 1 &&
        len == sizeof mac)
      return to_hex(mac, len);
  }
  unsigned int len = 0;  // the one-shot way, should the keyed context be missing or fail
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), data, bsn.size(), mac, &len) == nullptr) return {};
  return to_hex(mac, len);
}

}  // namespace doelpoort
