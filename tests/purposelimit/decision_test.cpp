// One test per decision rule, each showing the rule deny, and the permit when every rule holds.
#include "decision.h"

#include <gtest/gtest.h>

namespace doelpoort {
namespace {

class DecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto reg = std::make_shared<Register>();
    reg->version = "r1";
    Activity uitkering;
    uitkering.id = "pw-uitkering";
    uitkering.version = "3";
    uitkering.roles = {"inkomensconsulent"};
    uitkering.sources = {{"BRP", {"voornamen", "geslachtsnaam"}}, {"UWV", {"loon_sv"}}};
    Activity fraude = uitkering;
    fraude.id = "pw-fraude";
    fraude.roles = {"rechercheur"};
    fraude.break_glass_allowed = true;
    Activity wob = uitkering;
    wob.id = "wob";
    wob.case_reference_required = false;
    reg->activities = {uitkering, fraude, wob};
    reg->index();
    auto staff = std::make_shared<Staff>();
    staff->roles = {{"inkomensconsulent", ""}, {"rechercheur", ""}};
    staff->members = {{"u1", {"u1", "Een", {"inkomensconsulent"}}}, {"u2", {"u2", "Twee", {"rechercheur"}}}};
    policy.reg = reg;
    policy.staff = staff;
    policy.mappings = std::make_shared<MappingSet>();
    app.id = "zaaksysteem";
    app.activities = {"pw-uitkering", "pw-fraude", "wob"};
    request = {"pw-uitkering", "Z-1", "u1", "111222333", "BRP", {"voornamen"}, "", false};
  }

  Code decide_code() { return decide(policy, app, request).status.code(); }

  Policy policy;
  Application app;
  InquiryRequest request;
};

TEST_F(DecisionTest, PermitsWhenEveryRuleHolds) {
  Decision d = decide(policy, app, request);
  EXPECT_TRUE(d.status.is_ok()) << d.status.message();
  ASSERT_NE(d.activity, nullptr);
  EXPECT_EQ(d.activity->version, "3");
}

TEST_F(DecisionTest, DeniesUnknownActivity) {
  request.activity = "pw-onbekend";
  EXPECT_EQ(decide_code(), Code::ACTIVITY_UNKNOWN);
}

TEST_F(DecisionTest, DeniesActivityTheApplicationMayNotUse) {
  app.activities.erase("pw-uitkering");
  EXPECT_EQ(decide_code(), Code::APPLICATION_NOT_AUTHORISED);
}

TEST_F(DecisionTest, DeniesUserNotOnStaffList) {
  request.user = "u999";
  EXPECT_EQ(decide_code(), Code::USER_UNKNOWN);
}

TEST_F(DecisionTest, DeniesUserWhoseRoleIsNotAllowed) {
  request.user = "u2";  // rechercheur, not inkomensconsulent
  EXPECT_EQ(decide_code(), Code::ROLE_NOT_AUTHORISED);
}

TEST_F(DecisionTest, DeniesSourceOutsideActivity) {
  request.source = "RDW";
  EXPECT_EQ(decide_code(), Code::SOURCE_NOT_PERMITTED);
}

TEST_F(DecisionTest, DeniesFieldOutsideActivity) {
  request.fields = {"voornamen", "adres_straat"};
  Decision d = decide(policy, app, request);
  EXPECT_EQ(d.status.code(), Code::FIELD_NOT_PERMITTED);
  EXPECT_NE(d.status.message().find("adres_straat"), std::string::npos);
  EXPECT_EQ(d.status.message().find("voornamen"), std::string::npos);
}

TEST_F(DecisionTest, DeniesFieldAllowedOnlyForAnotherSource) {
  request.fields = {"loon_sv"};  // allowed from UWV, asked from BRP
  EXPECT_EQ(decide_code(), Code::FIELD_NOT_PERMITTED);
}

TEST_F(DecisionTest, DeniesMissingCaseReferenceWhereRequired) {
  request.case_reference.clear();
  EXPECT_EQ(decide_code(), Code::CASE_REQUIRED);
}

TEST_F(DecisionTest, PermitsWithoutCaseReferenceWhereOptional) {
  request.activity = "wob";
  request.case_reference.clear();
  EXPECT_EQ(decide_code(), Code::OK);
}

TEST_F(DecisionTest, DeniesBreakGlassWhereTheActivityDoesNotAllowIt) {
  request.break_glass = true;
  request.reason = "spoed";
  EXPECT_EQ(decide_code(), Code::BREAK_GLASS_NOT_PERMITTED);
}

TEST_F(DecisionTest, DeniesBreakGlassWithoutReason) {
  request.activity = "pw-fraude";
  request.user = "u2";
  request.break_glass = true;
  EXPECT_EQ(decide_code(), Code::REASON_REQUIRED);
  request.reason = "acuut risico";
  EXPECT_EQ(decide_code(), Code::OK);
}

TEST_F(DecisionTest, DeniesBsnThatFailsElevenProef) {
  request.subject_bsn = "111222334";
  EXPECT_EQ(decide_code(), Code::INVALID_REQUEST);
}

TEST_F(DecisionTest, DeniesMissingBsn) {
  request.subject_bsn.clear();
  EXPECT_EQ(decide_code(), Code::INVALID_REQUEST);
}

TEST_F(DecisionTest, DeniesFieldRequestedTwice) {
  request.fields = {"voornamen", "voornamen"};
  EXPECT_EQ(decide_code(), Code::INVALID_REQUEST);
}

TEST_F(DecisionTest, DeniesEmptyFieldList) {
  request.fields.clear();
  EXPECT_EQ(decide_code(), Code::INVALID_REQUEST);
}

TEST(Codes, EveryCodeHasAUniqueNameThatRoundTrips) {
  for (std::size_t i = 0; i < std::size(kCodes); ++i) {
    auto c = code_from_name(kCodes[i].name);
    ASSERT_TRUE(c.has_value()) << kCodes[i].name;
    EXPECT_EQ(static_cast<std::size_t>(*c), i);
  }
  EXPECT_FALSE(code_from_name("NO_SUCH_CODE").has_value());
}

}  // namespace
}  // namespace doelpoort
