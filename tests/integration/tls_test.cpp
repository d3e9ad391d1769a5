// Mutual TLS at the front door: only certificates from our CA, valid now, not revoked, get an answer.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace doelpoort::testing
