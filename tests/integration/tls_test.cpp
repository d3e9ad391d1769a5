// Mutual TLS at the front door: only certificates from our CA, valid now, not revoked, get an answer.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <signal.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "harness.h"

namespace doelpoort::testing {
namespace {

using TlsTest = IntegrationTest;

void expect_refused_by_tls(IntegrationTest& t, std::unique_ptr<InquiryClient> c, const InquiryRequest& r) {
  ASSERT_TRUE(c);
  InquiryAnswer a = c->inquire(r);
  EXPECT_FALSE(a.transport_ok) << "answered: " << a.fault_code;
  EXPECT_FALSE(a.fault);
  (void)t;
}

TEST_F(TlsTest, RegisteredApplicationCertificateIsAccepted) {
  InquiryAnswer a = client("app-zaaksysteem")->inquire(permitted_request());
  EXPECT_TRUE(a.transport_ok) << a.transport_error;
  EXPECT_FALSE(a.fault) << a.fault_string;
}

TEST_F(TlsTest, ClientWithoutCertificateIsRefused) {
  std::string error;
  ClientOptions o;
  o.url = "https://127.0.0.1:" + std::to_string(port_) + "/";
  o.tls.ca = pki("ca.crt");
  expect_refused_by_tls(*this, InquiryClient::create(o, error), permitted_request());
  EXPECT_EQ(sim_stats()["total"], 0);
}

TEST_F(TlsTest, CertificateFromAForeignCaIsRefused) {
  expect_refused_by_tls(*this, client("foreign-app"), permitted_request());
}

TEST_F(TlsTest, ExpiredCertificateIsRefused) { expect_refused_by_tls(*this, client("expired-app"), permitted_request()); }

TEST_F(TlsTest, NotYetValidCertificateIsRefused) {
  expect_refused_by_tls(*this, client("notyet-app"), permitted_request());
}

TEST_F(TlsTest, RevokedCertificateIsRefused) { expect_refused_by_tls(*this, client("revoked-app"), permitted_request()); }

TEST_F(TlsTest, UnregisteredApplicationGetsApplicationUnknownAndIsAudited) {
  InquiryAnswer a = client("app-unregistered")->inquire(permitted_request());
  ASSERT_TRUE(a.transport_ok) << a.transport_error;
  EXPECT_EQ(a.fault_code, "APPLICATION_UNKNOWN");
  EXPECT_EQ(sim_stats()["total"], 0);
  EXPECT_EQ(audit_records().at(0)["client_cn"], "onbekende-app");
}

// A raw TLS handshake with `configure` applied to the client context; true when the server completed it
// and then answered an HTTP request (a refused client gets an alert, or a closed connection).
bool handshake_accepted(int port, const std::function<void(SSL_CTX*)>& configure) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, pki("ca.crt").c_str(), nullptr);
  SSL_CTX_use_certificate_file(ctx, pki("app-zaaksysteem.crt").c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_use_PrivateKey_file(ctx, pki("app-zaaksysteem.key").c_str(), SSL_FILETYPE_PEM);
  configure(ctx);
  BIO* bio = BIO_new_connect(("127.0.0.1:" + std::to_string(port)).c_str());
  bool ok = false;
  if (BIO_do_connect(bio) == 1) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_bio(ssl, bio, bio);
    if (SSL_connect(ssl) == 1) {
      const std::string req = "GET /?wsdl HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      char buf[64];
      ok = SSL_write(ssl, req.data(), static_cast<int>(req.size())) > 0 && SSL_read(ssl, buf, sizeof buf) > 0;
    }
    SSL_free(ssl);  // frees the BIO too
  } else {
    BIO_free(bio);
  }
  SSL_CTX_free(ctx);
  return ok;
}

TEST_F(TlsTest, ModernClientHandshakeIsAccepted) {
  EXPECT_TRUE(handshake_accepted(port_, [](SSL_CTX*) {}));
}

TEST_F(TlsTest, Tls11IsRefused) {
  EXPECT_FALSE(handshake_accepted(port_, [](SSL_CTX* c) {
    SSL_CTX_set_security_level(c, 0);
    SSL_CTX_set_min_proto_version(c, TLS1_1_VERSION);
    SSL_CTX_set_max_proto_version(c, TLS1_1_VERSION);
  }));
}

TEST_F(TlsTest, WeakCipherSuitesAreRefused) {
  for (const char* weak : {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA", "DHE-RSA-AES128-SHA"}) {
    EXPECT_FALSE(handshake_accepted(port_, [&](SSL_CTX* c) {
      SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
      SSL_CTX_set_cipher_list(c, weak);
    })) << weak;
  }
}

TEST_F(TlsTest, RevokedCertificateIsRefusedOnceTheCrlIsReloaded) {
  std::filesystem::copy_file(pki("ca-before-revocation.crl"), dir_ + "/crl.pem");
  GatewayOptions o;
  o.crl = dir_ + "/crl.pem";
  int port = 0;
  auto gw = start_gateway(o, port, "crl");
  InquiryAnswer before = client("revoked-app", port)->inquire(permitted_request());
  EXPECT_TRUE(before.transport_ok && !before.fault) << "not yet revoked: " << before.transport_error << before.fault_code;
  std::filesystem::copy_file(pki("ca.crl"), dir_ + "/crl.pem", std::filesystem::copy_options::overwrite_existing);
  ::kill(gw->pid(), SIGHUP);
  for (int i = 0; i < 100 && read_file(gw->log_file()).find("tls_reloaded") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  InquiryAnswer after = client("revoked-app", port)->inquire(permitted_request());
  EXPECT_FALSE(after.transport_ok) << "revoked, and the new CRL says so";
  EXPECT_FALSE(client("app-zaaksysteem", port)->inquire(permitted_request()).fault);
}

TEST_F(TlsTest, ExpiredCrlRefusesEveryone) {
  GatewayOptions o;
  o.crl = pki("ca-expired.crl");
  int port = 0;
  auto gw = start_gateway(o, port, "stale");
  InquiryAnswer a = client("app-zaaksysteem", port)->inquire(permitted_request());
  EXPECT_FALSE(a.transport_ok) << "fail closed: an out-of-date CRL vouches for no one";
  EXPECT_TRUE(file_will_contain(gw->log_file(), "CRL has expired")) << read_file(gw->log_file());
}

}  // namespace
}  // namespace doelpoort::testing
