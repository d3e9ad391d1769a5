// End to end on the real binaries: permitted inquiries are minimised, every denial has its code and
// never reaches the registry, and every inquiry leaves a verifiable audit record.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "stdsoap2.h"

#include "harness.h"
#include "soap_service.h"

namespace doelpoort::testing {
namespace {

using InquiryTest = IntegrationTest;

bool has_field(const InquiryAnswer& a, const std::string& name) {
  for (const auto& f : a.fields)
    if (f.first == name) return true;
  return false;
}

TEST_F(InquiryTest, PermittedInquiryReturnsOnlyRequestedFieldsOfTheWholeDossier) {
  auto c = client("app-zaaksysteem");
  InquiryAnswer a = c->inquire(permitted_request());
  ASSERT_TRUE(a.transport_ok) << a.transport_error;
  ASSERT_FALSE(a.fault) << a.fault_code << " " << a.fault_string;
  EXPECT_EQ(a.status, "FOUND");
  EXPECT_EQ(a.activity, "pw-recht-op-uitkering");
  EXPECT_FALSE(a.activity_version.empty());
  EXPECT_NE(a.legal_basis.find("Participatiewet"), std::string::npos);
  ASSERT_TRUE(has_field(a, "voornamen"));
  ASSERT_TRUE(has_field(a, "geslachtsnaam"));
  for (const auto& [name, value] : a.fields) EXPECT_TRUE(name == "voornamen" || name == "geslachtsnaam") << name;
  EXPECT_EQ(sim_stats()["total"], 1);
  // The registry sent the whole dossier: the audit names what was withheld, never the values.
  auto records = audit_records();
  ASSERT_EQ(records.size(), 2u);  // the decision before the registry was asked, the outcome after
  EXPECT_EQ(records[0]["kind"], "decision");
  EXPECT_EQ(records[0]["decision"], "permit");
  EXPECT_EQ(records[1]["kind"], "outcome");
  const auto withheld = records[1]["fields_withheld"];
  EXPECT_NE(std::find(withheld.begin(), withheld.end(), "adres_postcode"), withheld.end()) << withheld.dump();
  EXPECT_NE(std::find(withheld.begin(), withheld.end(), "geboortedatum"), withheld.end()) << withheld.dump();
}

TEST_F(InquiryTest, FieldNotAllowedForTheActivityNeverAppearsInAnyReply) {
  auto c = client("app-zaaksysteem");
  // pw-re-integratie may not see the BSN, the partner or incomes, while the registry always sends them.
  InquiryRequest r = permitted_request();
  r.activity = "pw-re-integratie";
  r.user = "u1002";
  r.fields = {"voornamen", "geslachtsnaam", "geboortedatum", "adres_postcode", "adres_huisnummer", "adres_woonplaats"};
  InquiryAnswer a = c->inquire(r);
  ASSERT_TRUE(a.transport_ok && !a.fault) << a.transport_error << a.fault_string;
  for (const auto& [name, value] : a.fields) {
    EXPECT_NE(name, "bsn");
    EXPECT_NE(name, "partner_bsn");
    EXPECT_NE(value, known_bsn_) << name;
  }
  r.fields.push_back("partner_bsn");
  InquiryAnswer denied = c->inquire(r);
  EXPECT_EQ(denied.fault_code, "FIELD_NOT_PERMITTED");
  EXPECT_TRUE(denied.fields.empty());
  EXPECT_EQ(sim_stats()["total"], 1);  // only the permitted one reached the registry
}

TEST_F(InquiryTest, ReplyRelatesToTheRequestMessageId) {
  auto c = client("app-zaaksysteem");
  InquiryAnswer a = c->inquire(permitted_request(), "urn:uuid:11111111-2222-4333-8444-555555555555");
  ASSERT_TRUE(a.transport_ok && !a.fault) << a.fault_string;
  EXPECT_EQ(a.relates_to, "urn:uuid:11111111-2222-4333-8444-555555555555");
}

TEST_F(InquiryTest, UnknownSubjectGivesNotFound) {
  auto c = client("app-zaaksysteem");
  InquiryRequest r = permitted_request();
  r.subject_bsn = absent_bsn_;
  InquiryAnswer a = c->inquire(r);
  ASSERT_TRUE(a.transport_ok && !a.fault) << a.fault_string;
  EXPECT_EQ(a.status, "NOT_FOUND");
  EXPECT_TRUE(a.fields.empty());
}

TEST_F(InquiryTest, IncomeSourceAnswersForAPermittedActivity) {
  auto c = client("app-zaaksysteem");
  InquiryRequest r = permitted_request();
  r.source = "UWVDossierInkomsten";
  r.fields = {"werkgever_naam", "loon_sv"};
  InquiryAnswer a = c->inquire(r);
  ASSERT_TRUE(a.transport_ok && !a.fault) << a.fault_code << a.fault_string;
  EXPECT_EQ(a.status, "FOUND");
  EXPECT_TRUE(has_field(a, "werkgever_naam"));
  EXPECT_TRUE(has_field(a, "loon_sv"));
  for (const auto& [name, value] : a.fields) EXPECT_TRUE(name == "werkgever_naam" || name == "loon_sv") << name;
  EXPECT_EQ(sim_stats()["UWVDossierInkomstenGSD"], 1);
}

struct DenialCase {
  const char* name;
  const char* code;
  void (*change)(InquiryRequest&);
  friend void PrintTo(const DenialCase& c, std::ostream* os) { *os << c.name; }
};

class DenialTest : public IntegrationTest, public ::testing::WithParamInterface<DenialCase> {};

TEST_P(DenialTest, IsRefusedWithItsCodeNeverReachesTheRegistryAndIsAudited) {
  auto c = client("app-zaaksysteem");
  InquiryRequest r = permitted_request();
  GetParam().change(r);
  InquiryAnswer a = c->inquire(r);
  ASSERT_TRUE(a.transport_ok) << a.transport_error;
  ASSERT_TRUE(a.fault);
  EXPECT_EQ(a.fault_code, GetParam().code) << a.fault_string;
  EXPECT_FALSE(a.inquiry_id.empty());
  EXPECT_EQ(sim_stats()["total"], 0);
  auto records = audit_records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["code"], GetParam().code);
  EXPECT_EQ(records[0]["decision"], "deny");
  EXPECT_EQ(records[0]["inquiry_id"], a.inquiry_id);
}

INSTANTIATE_TEST_SUITE_P(
    EveryRule, DenialTest,
    ::testing::Values(
        DenialCase{"ActivityUnknown", "ACTIVITY_UNKNOWN", [](InquiryRequest& r) { r.activity = "pw-onbekend"; }},
        DenialCase{"ApplicationNotAuthorised", "APPLICATION_NOT_AUTHORISED",
                   [](InquiryRequest& r) { r.activity = "pw-bezwaar-en-beroep"; r.user = "u1005"; }},
        DenialCase{"UserUnknown", "USER_UNKNOWN", [](InquiryRequest& r) { r.user = "u9999"; }},
        DenialCase{"RoleNotAuthorised", "ROLE_NOT_AUTHORISED", [](InquiryRequest& r) { r.user = "u1002"; }},
        DenialCase{"SourceNotPermitted", "SOURCE_NOT_PERMITTED",
                   [](InquiryRequest& r) { r.activity = "pw-bijzondere-bijstand"; r.source = "UWVDossierInkomsten"; r.fields = {"loon_sv"}; }},
        DenialCase{"FieldNotPermitted", "FIELD_NOT_PERMITTED", [](InquiryRequest& r) { r.fields.push_back("geslacht"); }},
        DenialCase{"CaseRequired", "CASE_REQUIRED", [](InquiryRequest& r) { r.case_reference.clear(); }},
        DenialCase{"InvalidBsn", "INVALID_REQUEST", [](InquiryRequest& r) { r.subject_bsn = "123456789"; }},
        DenialCase{"BreakGlassNotPermitted", "BREAK_GLASS_NOT_PERMITTED",
                   [](InquiryRequest& r) { r.break_glass = true; r.reason = "spoed"; }},
        DenialCase{"BreakGlassWithoutReason", "REASON_REQUIRED",
                   [](InquiryRequest& r) { r.activity = "pw-fraudeonderzoek"; r.user = "u1003"; r.break_glass = true; }}),
    [](const ::testing::TestParamInfo<DenialCase>& info) { return std::string(info.param.name); });

TEST_F(InquiryTest, UnreachableRegistryGivesUpstreamUnavailableQuickly) {
  GatewayOptions o;
  o.brp_url = "https://127.0.0.1:1/suwibroker/soap/BRPDossierPersoonGSD-v0200";  // nothing listens on port 1
  int port = 0;
  auto gw = start_gateway(o, port, "dead");
  auto c = client("app-zaaksysteem", port);
  const auto t0 = std::chrono::steady_clock::now();
  InquiryAnswer a = c->inquire(permitted_request());
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(a.transport_ok) << a.transport_error;
  EXPECT_EQ(a.fault_code, "UPSTREAM_UNAVAILABLE") << a.fault_string;
  EXPECT_LT(elapsed, std::chrono::milliseconds(o.upstream_timeout_ms + 1000));
  EXPECT_EQ(gw->stop(), 0);
}

TEST_F(InquiryTest, RegistryWithACertificateForAnotherNameIsNeverSentData) {
  // A second simulator that presents a certificate for registry.elders.example, not 127.0.0.1.
  auto impostor = Process::start({bin("doelpoort-sim"), "serve", "--listen", "127.0.0.1:0", "--cert",
                                  pki("registry-wrongname.crt"), "--key", pki("registry-wrongname.key"), "--client-ca",
                                  pki("ca.crt"), "--port-file", dir_ + "/impostor.port"},
                                 dir_ + "/impostor.log");
  int impostor_port = 0;
  for (int i = 0; i < 500 && !std::filesystem::exists(dir_ + "/impostor.port"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impostor_port = std::stoi(read_file(dir_ + "/impostor.port"));
  GatewayOptions o;
  o.brp_url = "https://127.0.0.1:" + std::to_string(impostor_port) + "/suwibroker/soap/BRPDossierPersoonGSD-v0200";
  int port = 0;
  auto gw = start_gateway(o, port, "impostor-gw");
  InquiryAnswer a = client("app-zaaksysteem", port)->inquire(permitted_request());
  EXPECT_EQ(a.fault_code, "UPSTREAM_UNAVAILABLE") << a.fault_string;
  EXPECT_EQ(gw->stop(), 0);
  // The impostor received no request: the gateway refused it during the handshake.
  EXPECT_EQ(sim_stats(impostor_port, "registry.elders.example")["total"], 0);
}

TEST_F(InquiryTest, WsaActionThatDoesNotMatchIsRefusedAndAudited) {
  const std::string envelope = R"(<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing"
 xmlns:dp="urn:nl:doelpoort:inquiry:v1"><s:Header><a:Action>urn:other</a:Action><a:MessageID>urn:uuid:1</a:MessageID></s:Header>
<s:Body><dp:Inquire><dp:activity>pw-recht-op-uitkering</dp:activity><dp:caseReference>Z-1</dp:caseReference>
<dp:userId>u1001</dp:userId><dp:subjectBsn>)" + known_bsn_ + R"(</dp:subjectBsn><dp:source>BRPDossierPersoon</dp:source>
<dp:field>voornamen</dp:field></dp:Inquire></s:Body></s:Envelope>)";
  UpstreamReply reply = raw_post(envelope, "");
  EXPECT_EQ(reply.http_status, 500);
  EXPECT_NE(reply.body.find("INVALID_REQUEST"), std::string::npos) << reply.body;
  EXPECT_EQ(sim_stats()["total"], 0);
  EXPECT_EQ(audit_records().at(0)["code"], "INVALID_REQUEST");
}

TEST_F(InquiryTest, SoapActionHeaderThatDoesNotMatchIsRefused) {
  const std::string envelope = R"(<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing"
 xmlns:dp="urn:nl:doelpoort:inquiry:v1"><s:Header><a:Action>urn:nl:doelpoort:inquiry:v1/Inquire</a:Action><a:MessageID>urn:uuid:2</a:MessageID></s:Header>
<s:Body><dp:Inquire><dp:activity>pw-recht-op-uitkering</dp:activity><dp:caseReference>Z-1</dp:caseReference>
<dp:userId>u1001</dp:userId><dp:subjectBsn>)" + known_bsn_ + R"(</dp:subjectBsn><dp:source>BRPDossierPersoon</dp:source>
<dp:field>voornamen</dp:field></dp:Inquire></s:Body></s:Envelope>)";
  EXPECT_NE(raw_post(envelope, "urn:something-else").body.find("INVALID_REQUEST"), std::string::npos);
  // the same envelope with the right SOAPAction is answered
  UpstreamReply ok = raw_post(envelope, kInquireAction);
  EXPECT_EQ(ok.http_status, 200) << ok.body;
  EXPECT_EQ(sim_stats()["total"], 1);
}

TEST_F(InquiryTest, ReplyToAnotherAddressIsRefused) {
  const std::string envelope = R"(<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing"
 xmlns:dp="urn:nl:doelpoort:inquiry:v1"><s:Header><a:Action>urn:nl:doelpoort:inquiry:v1/Inquire</a:Action>
<a:MessageID>urn:uuid:3</a:MessageID><a:ReplyTo><a:Address>https://127.0.0.1:9/steal</a:Address></a:ReplyTo></s:Header>
<s:Body><dp:Inquire><dp:activity>pw-recht-op-uitkering</dp:activity><dp:caseReference>Z-1</dp:caseReference>
<dp:userId>u1001</dp:userId><dp:subjectBsn>)" + known_bsn_ + R"(</dp:subjectBsn><dp:source>BRPDossierPersoon</dp:source>
<dp:field>voornamen</dp:field></dp:Inquire></s:Body></s:Envelope>)";
  EXPECT_NE(raw_post(envelope, kInquireAction).body.find("INVALID_REQUEST"), std::string::npos);
  EXPECT_EQ(sim_stats()["total"], 0);
}

TEST_F(InquiryTest, AuditLogOfASessionVerifiesAndHoldsNoBsn) {
  auto c = client("app-zaaksysteem");
  ASSERT_FALSE(c->inquire(permitted_request()).fault);
  InquiryRequest r = permitted_request();
  r.fields = {"geslacht"};
  ASSERT_TRUE(c->inquire(r).fault);
  ASSERT_EQ(gateway_->stop(), 0);
  gateway_.reset();
  std::string out;
  EXPECT_EQ(run_command({bin("doelpoort"), "audit", "verify", dir_ + "/gw-audit", "--public-key",
                         dir_ + "/tree-head.key.pub"}, out), 0) << out;
  // permitted: decision + outcome; denied: the decision alone
  EXPECT_NE(out.find("OK (3 records in 1 segment"), std::string::npos) << out;
  EXPECT_NE(out.find("signatures verified"), std::string::npos) << out;
  for (const auto& e : std::filesystem::directory_iterator(dir_ + "/gw-audit"))
    EXPECT_EQ(read_file(e.path()).find(known_bsn_), std::string::npos);
}

TEST_F(InquiryTest, WsdlIsServedAtQueryWsdl) {
  std::string error;
  auto ctx = tls::make_client_context({pki("app-zaaksysteem.crt"), pki("app-zaaksysteem.key"), pki("ca.crt"), "", "127.0.0.1"}, error);
  ASSERT_TRUE(ctx) << error;
  struct soap* s = soap_new();
  tls::attach(s, ctx.get(), false);
  s->recv_timeout = s->send_timeout = s->connect_timeout = 5;
  const std::string url = "https://127.0.0.1:" + std::to_string(port_) + "/?wsdl";
  std::size_t len = 0;
  const char* body = nullptr;
  ASSERT_EQ(soap_GET(s, url.c_str(), nullptr), SOAP_OK);
  ASSERT_EQ(soap_begin_recv(s), SOAP_OK);
  body = soap_http_get_body(s, &len);
  ASSERT_NE(body, nullptr);
  const std::string wsdl(body, len);
  soap_end_recv(s);
  soap_destroy(s);
  soap_end(s);
  soap_free(s);
  EXPECT_NE(wsdl.find("<operation name=\"Inquire\">"), std::string::npos);
  EXPECT_NE(wsdl.find("InquiryFault"), std::string::npos);
}

}  // namespace
}  // namespace doelpoort::testing
