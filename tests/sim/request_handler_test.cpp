#include "request_handler.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "sim_test_util.h"

namespace doelpoort::sim {
namespace {

using testing::brp;
using testing::population;
using testing::post;
using testing::soap_request;
using testing::uwv;
using testing::value_at;

class RequestHandlerTest : public ::testing::Test {
 protected:
  const Person& someone_with_income() const {
    for (const Person& p : population().persons())
      if (p.has_income()) return p;
    throw std::logic_error("no one with income");
  }
  const Person& someone_without_income() const {
    for (const Person& p : population().persons())
      if (!p.has_income()) return p;
    throw std::logic_error("everyone has income");
  }
  std::string fout_code(const HttpReply& reply) const { return value_at(reply.body, "//soap:Fault/detail/fwi:Fout/Code"); }

  Stats stats_;
  RequestHandler handler_{population(), stats_};
};

TEST_F(RequestHandlerTest, AnswersTheWholeBrpDossierWithAddressing) {
  const Person& p = population().persons()[0];
  const HttpReply r = post(handler_, brp(), soap_request(brp(), p.bsn, "urn:uuid:req-7"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(value_at(r.body, "//soap:Header/wsa:Action"), brp().response_action);
  EXPECT_EQ(value_at(r.body, "//soap:Header/wsa:RelatesTo"), "urn:uuid:req-7");
  EXPECT_EQ(value_at(r.body, "//soap:Header/wsa:MessageID").rfind("urn:uuid:", 0), 0u);
  EXPECT_EQ(value_at(r.body, "//soap:Header/wsa:From/wsa:Address"), "https://localhost/suwibroker/soap/BRPDossierPersoonGSD-v0200");
  EXPECT_EQ(value_at(r.body, "//soap:Header/wsa:To"), "https://gateway.example/?oin=00000001234567890000");
  EXPECT_EQ(value_at(r.body, "//soap:Body/brp:AanvraagPersoonResponse/ClientSuwi/Burgerservicenr"), p.bsn);
  EXPECT_EQ(value_at(r.body, "//brp:AanvraagPersoonResponse/ClientSuwi/SignificantDeelVanDeAchternaam"), p.geslachtsnaam);
}

TEST_F(RequestHandlerTest, ChildrenOfSuwiMlElementsAreUnqualified) {
  const HttpReply r = post(handler_, brp(), soap_request(brp(), population().persons()[0].bsn));
  EXPECT_EQ(testing::node_count(r.body, "//ClientSuwi"), 1u);
  EXPECT_EQ(value_at(r.body, "//brp:AanvraagPersoonResponse/ClientSuwi/Burgerservicenr"), population().persons()[0].bsn);
  EXPECT_EQ(testing::node_count(r.body, "//brp:ClientSuwi"), 0u);
}

TEST_F(RequestHandlerTest, AnswersNietsGevondenForAnAbsentBsn) {
  for (const Service* s : {&brp(), &uwv()}) {
    const HttpReply r = post(handler_, *s, soap_request(*s, population().absent_bsns(1)[0], "urn:uuid:absent"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(value_at(r.body, "//soap:Body/*/fwi:NietsGevonden"), "");
    EXPECT_EQ(value_at(r.body, "//soap:Header/wsa:Action"), s->response_action);
    EXPECT_EQ(value_at(r.body, "//soap:Header/wsa:RelatesTo"), "urn:uuid:absent");
  }
}

TEST_F(RequestHandlerTest, UwvAnswersNietsGevondenForAPersonWithoutIncome) {
  const HttpReply r = post(handler_, uwv(), soap_request(uwv(), someone_without_income().bsn));
  EXPECT_EQ(value_at(r.body, "//uwv:UWVPersoonsIkvInfoResponse/fwi:NietsGevonden"), "");
}

TEST_F(RequestHandlerTest, UwvListsOnlyMonthsInTheRequestedPeriod) {
  const Person& p = someone_with_income();
  const std::string inner = "<Burgerservicenr>" + p.bsn +
                            "</Burgerservicenr><PeriodeGegevensvraagIko><DatBPeriode>20241201</DatBPeriode>"
                            "<DatEPeriode>20241231</DatEPeriode></PeriodeGegevensvraagIko>";
  const HttpReply r = post(handler_, uwv(), soap_request(uwv(), p.bsn, "urn:uuid:p", std::nullopt, inner));
  EXPECT_EQ(r.status, 200);
  EXPECT_GT(testing::node_count(r.body, "//Inkomstenopgave"), 0u);
  EXPECT_EQ(testing::node_count(r.body, "//Inkomstenopgave[DatBIko < 20241201]"), 0u);
  EXPECT_EQ(value_at(r.body, "//PeriodeGegevensleveringIko/DatBPeriode"), "20241201");
}

TEST_F(RequestHandlerTest, RefusesAnInvalidBsnWithAFwiFout) {
  const HttpReply r = post(handler_, brp(), soap_request(brp(), "123456789", "urn:uuid:bad"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(fout_code(r), "SIM-006");
  EXPECT_EQ(value_at(r.body, "//soap:Fault/faultcode"), "soap:Client");
  EXPECT_EQ(value_at(r.body, "//fwi:Fout/Bron/DN"), brp().bron_dn);
  EXPECT_EQ(value_at(r.body, "//soap:Header/wsa:Action"), brp().fault_action);
  EXPECT_EQ(value_at(r.body, "//soap:Header/wsa:RelatesTo"), "urn:uuid:bad");
}

TEST_F(RequestHandlerTest, RefusesTheWrongWsaAction) {
  const HttpReply r = post(handler_, brp(), soap_request(brp(), "111222333", "urn:uuid:1", uwv().request_action));
  EXPECT_EQ(fout_code(r), "SIM-003");
}

TEST_F(RequestHandlerTest, AcceptsAnEmptyOrMatchingSoapActionAndRefusesAnother) {
  const std::string body = soap_request(brp(), population().persons()[0].bsn);
  EXPECT_EQ(post(handler_, brp(), body, "").status, 200);
  EXPECT_EQ(post(handler_, brp(), body, brp().request_action).status, 200);
  EXPECT_EQ(fout_code(post(handler_, brp(), body, "urn:other")), "SIM-003");
}

TEST_F(RequestHandlerTest, RefusesARequestWithoutMessageId) {
  EXPECT_EQ(fout_code(post(handler_, brp(), soap_request(brp(), "111222333", ""))), "SIM-002");
}

TEST_F(RequestHandlerTest, RefusesMalformedXmlAndDoctypes) {
  EXPECT_EQ(fout_code(post(handler_, brp(), "<a><b>")), "SIM-001");
  EXPECT_EQ(fout_code(post(handler_, brp(), "")), "SIM-001");
  EXPECT_EQ(fout_code(post(handler_, brp(), "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>")), "SIM-001");
  EXPECT_EQ(fout_code(post(handler_, brp(), "<Envelope/>")), "SIM-001");
}

TEST_F(RequestHandlerTest, RefusesAnotherOperationOrUnexpectedContent) {
  const std::string other_op = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                               "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><soap:Header><wsa:Action>" +
                               std::string(brp().request_action) +
                               "</wsa:Action><wsa:MessageID>m</wsa:MessageID></soap:Header><soap:Body>"
                               "<x:AanvraagPersoon xmlns:x=\"urn:other\"/></soap:Body></soap:Envelope>";
  EXPECT_EQ(fout_code(post(handler_, brp(), other_op)), "SIM-004");
  const std::string qualified = "<smls:Burgerservicenr>111222333</smls:Burgerservicenr>";
  EXPECT_EQ(fout_code(post(handler_, brp(), soap_request(brp(), "", "m", std::nullopt, qualified))), "SIM-005");
  const std::string period = "<Burgerservicenr>111222333</Burgerservicenr><PeriodeGegevensvraagIko/>";
  EXPECT_EQ(fout_code(post(handler_, brp(), soap_request(brp(), "", "m", std::nullopt, period))), "SIM-005");
  EXPECT_EQ(fout_code(post(handler_, uwv(), soap_request(uwv(), "", "m", std::nullopt, ""))), "SIM-005");
}

TEST_F(RequestHandlerTest, AnswersAnUnknownServiceWith404Fault) {
  const HttpReply r = handler_.handle({"POST", "/suwibroker/soap/Nope", std::nullopt, "<a/>", ""});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(fout_code(r), "SIM-404");
}

TEST_F(RequestHandlerTest, ServesEachWsdlWithTheAddressTheClientUsed) {
  for (const Service* s : {&brp(), &uwv()}) {
    const std::string path = std::string(kServicePathPrefix) + std::string(s->name);
    const HttpReply r = handler_.handle({"GET", path + "?wsdl", std::nullopt, "", "https://localhost:4711" + path + "?wsdl"});
    EXPECT_EQ(r.status, 200);
    const auto doc = testing::parse(r.body);
    ASSERT_TRUE(doc);
    const std::map<std::string, std::string> ns{{"w", "http://schemas.xmlsoap.org/wsdl/"},
                                                {"s", "http://schemas.xmlsoap.org/wsdl/soap/"},
                                                {"a", "http://www.w3.org/2006/05/addressing/wsdl"}};
    EXPECT_EQ(testing::xpath_values(doc.get(), ns, "//s:address/@location"),
              std::vector<std::string>{"https://localhost:4711" + path});
    EXPECT_EQ(testing::xpath_values(doc.get(), ns, "//w:portType/w:operation/w:input/@a:Action"),
              std::vector<std::string>{std::string(s->request_action)});
    EXPECT_EQ(testing::xpath_values(doc.get(), ns, "//w:portType/w:operation/w:output/@a:Action"),
              std::vector<std::string>{std::string(s->response_action)});
  }
  EXPECT_EQ(handler_.handle({"GET", "/suwibroker/soap/Nope?wsdl", std::nullopt, "", ""}).status, 404);
  EXPECT_EQ(handler_.handle({"GET", "/", std::nullopt, "", ""}).status, 404);
}

TEST_F(RequestHandlerTest, CountsEveryPostPerService) {
  const std::string bsn = population().persons()[0].bsn;
  (void)post(handler_, brp(), soap_request(brp(), bsn));
  (void)post(handler_, brp(), "not xml");
  (void)post(handler_, uwv(), soap_request(uwv(), bsn));
  (void)handler_.handle({"POST", "/elsewhere", std::nullopt, "", ""});
  (void)handler_.refuse_post("/suwibroker/soap/UWVDossierInkomstenGSD-v0200", FoutCode::kRequestTooLarge, "");
  (void)handler_.handle({"GET", "/_sim/stats", std::nullopt, "", ""});
  const HttpReply r = handler_.handle({"GET", "/_sim/stats", std::nullopt, "", ""});
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"total\":5,\"BRPDossierPersoonGSD\":2,\"UWVDossierInkomstenGSD\":2}\n");
}

TEST_F(RequestHandlerTest, RefusesOtherMethodsAndClosesTheConnection) {
  const HttpReply r = handler_.handle({"DELETE", "/", std::nullopt, "", ""});
  EXPECT_EQ(r.status, 405);
  EXPECT_TRUE(r.close);
  EXPECT_EQ(fout_code(r), "SIM-405");
}

TEST_F(RequestHandlerTest, EscapesTextAndKeepsUtf8) {
  for (const Person& p : population().persons()) {
    if (p.voornamen.find("ë") == std::string::npos) continue;
    const HttpReply r = post(handler_, brp(), soap_request(brp(), p.bsn));
    EXPECT_EQ(value_at(r.body, "//brp:AanvraagPersoonResponse/ClientSuwi/Voornamen"), p.voornamen);
    return;
  }
  FAIL() << "no first name with a diaeresis in the population";
}

}  // namespace
}  // namespace doelpoort::sim
