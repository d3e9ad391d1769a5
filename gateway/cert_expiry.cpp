#include "cert_expiry.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace doelpoort::certs {
namespace {

std::optional<std::int64_t> to_unix(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::optional<std::int64_t> not_after(const X509* cert) {
  return cert != nullptr ? to_unix(X509_get0_notAfter(cert)) : std::nullopt;
}

std::optional<std::int64_t> earliest_not_after(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "r"));
  if (!f) return std::nullopt;
  std::optional<std::int64_t> earliest;
  while (X509* cert = PEM_read_X509(f.get(), nullptr, nullptr, nullptr)) {
    const auto t = not_after(cert);
    X509_free(cert);
    if (t && (!earliest || *t < *earliest)) earliest = t;
  }
  ERR_clear_error();  // the read that ended the loop left "no start line" on the queue
  return earliest;
}

std::optional<std::int64_t> crl_next_update(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "r"));
  if (!f) return std::nullopt;
  X509_CRL* crl = PEM_read_X509_CRL(f.get(), nullptr, nullptr, nullptr);
  if (crl == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  const auto t = to_unix(X509_CRL_get0_nextUpdate(crl));
  X509_CRL_free(crl);
  return t;
}

}  // namespace doelpoort::certs
