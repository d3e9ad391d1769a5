// The pipeline with a fake registry and a fake audit sink: denials never reach the registry, every
// inquiry is audited, and no record, no answer.
#include "pipeline.h"

#include <gtest/gtest.h>

#include "../support/metrics_text.h"
#include "memory_state_store.h"
#include "metrics.h"
#include "xml_safe.h"

namespace doelpoort {
namespace {

class FakeUpstream final : public Upstream {
 public:
  Status call(std::string_view request, const std::string&, UpstreamReply& reply) override {
    ++calls;
    last_request = request;
    if (!reachable) return {Code::UPSTREAM_UNAVAILABLE, "connection refused"};
    reply.http_status = http_status;
    reply.body = body;
    return Status::ok();
  }
  const std::string& url() const override { return url_; }
  int calls = 0;
  bool reachable = true;
  int http_status = 200;
  std::string body = R"(<r xmlns:s="urn:s"><s:P><Naam>Jansen</Naam><Bsn>111222333</Bsn><Adres>Dorpsstraat 1</Adres></s:P></r>)";
  std::string last_request;
  std::string url_ = "https://registry.test/brp";
};

class FakeAudit final : public AuditSink {
 public:
  using AuditSink::append;
  Status append(AuditRecord record, std::uint64_t* seq) override {
    if (fail || (fail_after >= 0 && static_cast<int>(records.size()) >= fail_after))
      return {Code::AUDIT_UNAVAILABLE, "disk full"};
    records.push_back(nlohmann::json::parse(record.open_body() + "}"));  // must be valid JSON
    if (seq != nullptr) *seq = records.size();
    return Status::ok();
  }
  std::vector<nlohmann::json> records;
  bool fail = false;
  int fail_after = -1;  // accept this many records, then fail
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    xml::init();
    auto snap = std::make_shared<Snapshot>();
    auto reg = std::make_shared<Register>();
    reg->version = "2026.1";
    Activity a;
    a.id = "pw-uitkering";
    a.version = "3";
    a.purpose = "recht op bijstand";
    a.legal_basis = {"AVG art. 6 lid 1 sub c", "Participatiewet art. 64"};
    a.roles = {"consulent"};
    a.categories = {"identificatie"};
    a.sources = {{"BRP", {"naam", "bsn"}}};
    a.proportionality.max_inquiries_per_user_per_hour = 3;
    Activity bound = a;  // caseload-bound
    bound.id = "pw-bound";
    bound.proportionality.caseload_binding = true;
    bound.proportionality.break_glass = true;
    reg->activities = {a, bound};
    reg->index();
    auto staff = std::make_shared<Staff>();
    staff->roles = {{"consulent", ""}};
    staff->members = {{"u1", {"u1", "Een", {"consulent"}}}};
    auto mappings = std::make_shared<MappingSet>();
    Mapping m;
    m.source = "BRP";
    m.namespaces = {{"s", "urn:s"}};
    std::string error;
    ASSERT_TRUE(m.requests[SearchKey::Bsn].body.parse("<q>{{bsn}}</q>", error));
    m.requests[SearchKey::Bsn].action = "urn:action";
    m.fields = {{"naam", {"//s:P/Naam", "identificatie"}}, {"bsn", {"//s:P/Bsn", "identificatie"}},
                {"adres", {"//s:P/Adres", "woonsituatie"}}};
    mappings->emplace("BRP", std::move(m));
    snap->policy = {reg, staff, mappings, {{"zaak", "", "zaaksysteem", "", {"pw-uitkering", "pw-bound"}}}};
    snap->compiled.emplace("BRP", CompiledMapping::compile(snap->policy.mappings->at("BRP"), error));
    ASSERT_TRUE(snap->compiled.at("BRP")) << error;

    upstream = std::make_shared<FakeUpstream>();
    audit = std::make_shared<FakeAudit>();
    std::array<unsigned char, 32> key{};
    state = std::make_shared<MemoryStateStore>();
    pipeline = std::make_unique<Pipeline>(PipelineParts{snap, audit, state, Pseudonymiser(key),
                                                        UpstreamMap{{"BRP", upstream}}, 1 << 20, std::chrono::seconds(60)});
    q = fresh_inquiry();
  }

  Inquiry fresh_inquiry() {
    Inquiry i;
    i.id = "inq-" + std::to_string(++serial);
    i.message_id = "urn:uuid:m" + std::to_string(serial);
    i.peer.cn = "zaaksysteem";
    i.request = {"pw-uitkering", "Z-1", "u1", "111222333", "BRP", {"naam"}, "", false, {}};
    return i;
  }

  std::shared_ptr<FakeUpstream> upstream;
  std::shared_ptr<FakeAudit> audit;
  std::shared_ptr<MemoryStateStore> state;
  std::unique_ptr<Pipeline> pipeline;
  Inquiry q;
  int serial = 0;
};

TEST_F(PipelineTest, PermittedInquiryReturnsOnlyRequestedFieldsAndIsAudited) {
  ASSERT_TRUE(pipeline->handle(q).is_ok()) << q.status.message();
  EXPECT_EQ(upstream->calls, 1);
  EXPECT_EQ(upstream->last_request, "<q>111222333</q>");
  ASSERT_EQ(q.result.fields.size(), 1u);
  EXPECT_EQ(q.result.fields[0].second, "Jansen");
  ASSERT_EQ(audit->records.size(), 2u);  // the decision, then the outcome
  const auto& d = audit->records[0];
  EXPECT_EQ(d["kind"], "decision");
  EXPECT_EQ(d["decision"], "permit");
  EXPECT_FALSE(d.contains("code"));
  EXPECT_EQ(d["activity_version"], "3");
  EXPECT_EQ(d["register_version"], "2026.1");
  EXPECT_EQ(d["legal_basis"], "AVG art. 6 lid 1 sub c; Participatiewet art. 64");
  EXPECT_EQ(d["categories_requested"], (nlohmann::json{"identificatie"}));
  const auto& o = audit->records[1];
  EXPECT_EQ(o["kind"], "outcome");
  EXPECT_EQ(o["inquiry_id"], d["inquiry_id"]);
  EXPECT_EQ(o["code"], "OK");
  EXPECT_EQ(o["fields_returned"], (nlohmann::json{"naam"}));
  EXPECT_EQ(o["fields_withheld"], (nlohmann::json{"adres", "bsn"}));
}

TEST_F(PipelineTest, AuditRecordHoldsNoBsnAndNoFieldValues) {
  ASSERT_TRUE(pipeline->handle(q).is_ok());
  const std::string text = audit->records[0].dump() + audit->records[1].dump();
  EXPECT_EQ(text.find("111222333"), std::string::npos);
  EXPECT_EQ(text.find("Jansen"), std::string::npos);
  EXPECT_EQ(text.find("Dorpsstraat"), std::string::npos);
  EXPECT_EQ(audit->records[0]["subject"].get<std::string>().size(), 64u);
}

TEST_F(PipelineTest, DeniedInquiryNeverReachesTheRegistryButIsAudited) {
  q.request.fields = {"adres"};
  EXPECT_EQ(pipeline->handle(q).code(), Code::FIELD_NOT_PERMITTED);
  EXPECT_EQ(upstream->calls, 0);
  ASSERT_EQ(audit->records.size(), 1u);
  EXPECT_EQ(audit->records[0]["decision"], "deny");
  EXPECT_EQ(audit->records[0]["code"], "FIELD_NOT_PERMITTED");
}

TEST_F(PipelineTest, UnknownApplicationIsRefusedBeforeTheDecision) {
  q.peer.cn = "onbekend";
  EXPECT_EQ(pipeline->handle(q).code(), Code::APPLICATION_UNKNOWN);
  EXPECT_EQ(upstream->calls, 0);
  EXPECT_EQ(audit->records.at(0)["code"], "APPLICATION_UNKNOWN");
}

TEST_F(PipelineTest, MalformedRequestIsAuditedAndRefused) {
  EXPECT_EQ(pipeline->handle(q, {Code::INVALID_REQUEST, "wsa:MessageID is required"}).code(), Code::INVALID_REQUEST);
  EXPECT_EQ(upstream->calls, 0);
  EXPECT_EQ(audit->records.at(0)["code"], "INVALID_REQUEST");
}

TEST_F(PipelineTest, NoDurableDecisionRecordMeansNoRegistryCallAndNoAnswer) {
  audit->fail = true;
  EXPECT_EQ(pipeline->handle(q).code(), Code::AUDIT_UNAVAILABLE);
  EXPECT_EQ(upstream->calls, 0);
}

TEST_F(PipelineTest, NoDurableOutcomeRecordMeansNoAnswer) {
  audit->fail_after = 1;  // the decision is recorded, the outcome is not
  EXPECT_EQ(pipeline->handle(q).code(), Code::AUDIT_UNAVAILABLE);
  EXPECT_EQ(upstream->calls, 1);
  EXPECT_TRUE(q.result.fields.empty() || q.status.code() == Code::AUDIT_UNAVAILABLE);
}

TEST_F(PipelineTest, UnreachableRegistryGivesUpstreamUnavailable) {
  upstream->reachable = false;
  EXPECT_EQ(pipeline->handle(q).code(), Code::UPSTREAM_UNAVAILABLE);
  EXPECT_EQ(audit->records.at(0)["decision"], "permit");
  EXPECT_EQ(audit->records.at(1)["code"], "UPSTREAM_UNAVAILABLE");
}

TEST_F(PipelineTest, RegistryHttpErrorGivesUpstreamError) {
  upstream->http_status = 503;
  upstream->body.clear();
  EXPECT_EQ(pipeline->handle(q).code(), Code::UPSTREAM_ERROR);
}

TEST_F(PipelineTest, RegistryAnswerWithDoctypeIsRefused) {
  upstream->body = R"(<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>)";
  EXPECT_EQ(pipeline->handle(q).code(), Code::UPSTREAM_ERROR);
  EXPECT_NE(q.status.message().find("DOCTYPE"), std::string::npos);
}

TEST_F(PipelineTest, ReplayedMessageIdIsRefusedBeforeTheRegistry) {
  ASSERT_TRUE(pipeline->handle(q).is_ok());
  Inquiry again = fresh_inquiry();
  again.message_id = q.message_id;
  EXPECT_EQ(pipeline->handle(again).code(), Code::REPLAY_DETECTED);
  EXPECT_EQ(upstream->calls, 1);
  EXPECT_EQ(audit->records.back()["code"], "REPLAY_DETECTED");
}

TEST_F(PipelineTest, ReplayOfADeniedInquiryIsRefusedAsAReplay) {
  q.request.fields = {"adres"};  // not in the activity
  EXPECT_EQ(pipeline->handle(q).code(), Code::FIELD_NOT_PERMITTED);
  Inquiry again = fresh_inquiry();
  again.message_id = q.message_id;
  again.request.fields = {"adres"};
  EXPECT_EQ(pipeline->handle(again).code(), Code::REPLAY_DETECTED);
  EXPECT_EQ(audit->records.back()["code"], "REPLAY_DETECTED");
  EXPECT_EQ(upstream->calls, 0);
}

TEST_F(PipelineTest, ReplayIsNotCountedAgainstTheVolumeLimit) {
  ASSERT_TRUE(pipeline->handle(q).is_ok());
  for (int i = 0; i < 3; ++i) {
    Inquiry again = fresh_inquiry();
    again.message_id = q.message_id;
    EXPECT_EQ(pipeline->handle(again).code(), Code::REPLAY_DETECTED) << i;
  }
  for (int i = 0; i < 2; ++i) {  // the limit is 3 an hour: these two are the second and third
    Inquiry next = fresh_inquiry();
    EXPECT_TRUE(pipeline->handle(next).is_ok()) << i << ": " << next.status.message();
  }
  EXPECT_EQ(upstream->calls, 3);
}

TEST_F(PipelineTest, VolumeLimitDeniesTheInquiryAfterTheLimit) {
  for (int i = 0; i < 3; ++i) {
    Inquiry next = fresh_inquiry();
    ASSERT_TRUE(pipeline->handle(next).is_ok()) << i;
  }
  Inquiry fourth = fresh_inquiry();
  EXPECT_EQ(pipeline->handle(fourth).code(), Code::VOLUME_LIMIT_EXCEEDED);
  EXPECT_EQ(upstream->calls, 3);
}

TEST_F(PipelineTest, CaseloadBindingDeniesSubjectsOutsideTheCaseUnlessBreakGlass) {
  q.request.activity = "pw-bound";
  EXPECT_EQ(pipeline->handle(q).code(), Code::SUBJECT_NOT_IN_CASELOAD);
  ASSERT_TRUE(state->replace_caseload({{"Z-1", {pipeline->subject_pseudonym(q.request)}}}).is_ok());
  Inquiry member = fresh_inquiry();
  member.request.activity = "pw-bound";
  EXPECT_TRUE(pipeline->handle(member).is_ok()) << member.status.message();
  Inquiry other = fresh_inquiry();
  other.request.activity = "pw-bound";
  other.request.subject_bsn = "123456782";
  EXPECT_EQ(pipeline->handle(other).code(), Code::SUBJECT_NOT_IN_CASELOAD);
  Inquiry glass = fresh_inquiry();
  glass.request = other.request;
  glass.request.break_glass = true;
  glass.request.reason = "acute zorgmelding";
  EXPECT_TRUE(pipeline->handle(glass).is_ok()) << glass.status.message();
  const auto& decision = audit->records[audit->records.size() - 2];
  EXPECT_EQ(decision["kind"], "decision");
  EXPECT_EQ(decision["break_glass"], true);
}

class DownState final : public StateStore {
 public:
  Status admit(const Admission&, Admitted&) override { return down(); }
  Status replace_caseload(const std::map<std::string, std::set<std::string>>&) override { return down(); }
  bool healthy() override { return false; }

 private:
  static Status down() { return {Code::STATE_UNAVAILABLE, "connection refused"}; }
};

TEST_F(PipelineTest, StateStoreDownDeniesTheInquiry) {
  auto std_snapshot = pipeline->snapshot();
  std::array<unsigned char, 32> key{};
  Pipeline down({std_snapshot, audit, std::make_shared<DownState>(), Pseudonymiser(key), UpstreamMap{{"BRP", upstream}},
                 1 << 20, std::chrono::seconds(60)});
  EXPECT_EQ(down.handle(q).code(), Code::STATE_UNAVAILABLE);
  EXPECT_EQ(upstream->calls, 0);
  EXPECT_EQ(audit->records.back()["code"], "STATE_UNAVAILABLE");
}

TEST_F(PipelineTest, NewSnapshotAppliesToTheNextInquiry) {
  auto next = std::make_shared<Snapshot>();
  next->policy = pipeline->snapshot()->policy;
  next->policy.applications.clear();  // nobody may connect any more
  pipeline->publish(next);
  EXPECT_EQ(pipeline->handle(q).code(), Code::APPLICATION_UNKNOWN);
}

// ---- metrics: every inquiry counted once, by names from the register only ----

std::unique_ptr<Pipeline> counting(Metrics& m, std::shared_ptr<const Snapshot> snap, std::shared_ptr<StateStore> state,
                                   std::shared_ptr<AuditSink> audit, std::shared_ptr<Upstream> upstream) {
  std::array<unsigned char, 32> key{};
  m.registry("BRP");
  PipelineParts parts{std::move(snap), std::move(audit), std::move(state), Pseudonymiser(key),
                      UpstreamMap{{"BRP", std::move(upstream)}}, 1 << 20, std::chrono::seconds(60)};
  parts.metrics = &m;
  return std::make_unique<Pipeline>(std::move(parts));
}

std::map<std::string, std::string> series(const std::string& activity, const std::string& source,
                                          const std::string& decision, const std::string& code) {
  return {{"activity", activity}, {"source", source}, {"decision", decision}, {"code", code}};
}

TEST_F(PipelineTest, CountsEachInquiryByActivitySourceDecisionAndOutcome) {
  Metrics m("t");
  auto p = counting(m, pipeline->snapshot(), state, audit, upstream);
  EXPECT_TRUE(p->handle(q).is_ok());
  Inquiry field = fresh_inquiry();
  field.request.fields = {"adres"};
  EXPECT_EQ(p->handle(field).code(), Code::FIELD_NOT_PERMITTED);
  upstream->reachable = false;
  Inquiry unreachable = fresh_inquiry();
  EXPECT_EQ(p->handle(unreachable).code(), Code::UPSTREAM_UNAVAILABLE);
  upstream->reachable = true;
  upstream->http_status = 404;
  Inquiry not_found = fresh_inquiry();
  EXPECT_EQ(p->handle(not_found).code(), Code::UPSTREAM_ERROR);
  const std::string text = m.serialize();
  using testing::sample;
  EXPECT_EQ(sample(text, "doelpoort_inquiries_total", series("pw-uitkering", "BRP", "permit", "OK")), 1);
  EXPECT_EQ(sample(text, "doelpoort_inquiries_total", series("pw-uitkering", "BRP", "deny", "FIELD_NOT_PERMITTED")), 1);
  EXPECT_EQ(sample(text, "doelpoort_inquiries_total", series("pw-uitkering", "BRP", "permit", "UPSTREAM_UNAVAILABLE")), 1);
  EXPECT_EQ(sample(text, "doelpoort_inquiries_total", series("pw-uitkering", "BRP", "permit", "UPSTREAM_ERROR")), 1);
  EXPECT_EQ(sample(text, "doelpoort_registry_errors_total", {{"source", "BRP"}, {"kind", "bad_status"}}), 1);
  EXPECT_EQ(sample(text, "doelpoort_inquiry_duration_seconds_count", {{"decision", "permit"}}), 3);
  EXPECT_EQ(sample(text, "doelpoort_inquiry_duration_seconds_count", {{"decision", "deny"}}), 1);
}

TEST_F(PipelineTest, NamesOutsideTheRegisterAreCountedAsUnknown) {
  Metrics m("t");
  auto p = counting(m, pipeline->snapshot(), state, audit, upstream);
  q.request.activity = "made-up-by-the-caller";
  EXPECT_EQ(p->handle(q).code(), Code::ACTIVITY_UNKNOWN);
  Inquiry source = fresh_inquiry();
  source.request.source = "NoSuchRegistry";
  EXPECT_EQ(p->handle(source).code(), Code::SOURCE_NOT_PERMITTED);
  const std::string text = m.serialize();
  EXPECT_EQ(testing::sample(text, "doelpoort_inquiries_total", series("unknown", "BRP", "deny", "ACTIVITY_UNKNOWN")), 1);
  EXPECT_EQ(testing::sample(text, "doelpoort_inquiries_total",
                            series("pw-uitkering", "unknown", "deny", "SOURCE_NOT_PERMITTED")), 1);
  EXPECT_EQ(text.find("made-up-by-the-caller"), std::string::npos);
  EXPECT_EQ(text.find("NoSuchRegistry"), std::string::npos);
  EXPECT_EQ(text.find("111222333"), std::string::npos);  // the subject
  EXPECT_EQ(text.find("\"u1\""), std::string::npos);       // the user
}

TEST_F(PipelineTest, StateStoreErrorsAreCounted) {
  Metrics m("t");
  auto p = counting(m, pipeline->snapshot(), std::make_shared<DownState>(), audit, upstream);
  EXPECT_EQ(p->handle(q).code(), Code::STATE_UNAVAILABLE);
  EXPECT_EQ(testing::sample(m.serialize(), "doelpoort_state_store_errors_total"), 1);
  EXPECT_EQ(testing::sample(m.serialize(), "doelpoort_state_store_duration_seconds_count"), 1);  // failed calls too
}

TEST_F(PipelineTest, EveryInquiryMakesOneTimedStateStoreCall) {
  Metrics m("t");
  auto p = counting(m, pipeline->snapshot(), state, audit, upstream);
  ASSERT_TRUE(p->handle(q).is_ok()) << q.status.message();  // permitted: replay and volume steps
  Inquiry denied = fresh_inquiry();
  denied.request.fields = {"adres"};  // not in the activity: the replay step only
  EXPECT_EQ(p->handle(denied).code(), Code::FIELD_NOT_PERMITTED);
  const std::string text = m.serialize();
  EXPECT_EQ(testing::sample(text, "doelpoort_state_store_duration_seconds_count"), 2);
  EXPECT_EQ(testing::sample(text, "doelpoort_state_store_errors_total"), 0);
}

TEST_F(PipelineTest, BreakGlassPermittedOutsideOfficeHoursIsCountedAsSuch) {
  // pw-bound, with office hours Monday to Friday 09:00-17:00 and break-glass allowed.
  auto base = pipeline->snapshot();
  auto reg = std::make_shared<Register>(*base->policy.reg);
  for (auto& a : reg->activities)
    if (a.id == "pw-bound") a.proportionality.office_hours = {0b0011111, 9 * 60, 17 * 60};
  reg->index();
  auto snap = std::make_shared<Snapshot>();
  snap->policy = base->policy;
  snap->policy.reg = reg;
  std::string error;
  snap->compiled.emplace("BRP", CompiledMapping::compile(snap->policy.mappings->at("BRP"), error));
  ASSERT_TRUE(snap->compiled.at("BRP")) << error;
  Metrics m("t");
  auto p = counting(m, snap, state, audit, upstream);
  setenv("TZ", "UTC", 1);
  tzset();
  const auto sunday_noon = std::chrono::system_clock::from_time_t(1772366400);  // 2026-03-01T12:00:00Z, a Sunday
  q.arrived = sunday_noon;
  q.request.activity = "pw-bound";
  q.request.break_glass = true;
  q.request.reason = "acute zorgmelding";
  EXPECT_TRUE(p->handle(q).is_ok()) << q.status.message();
  Inquiry plain = fresh_inquiry();
  plain.arrived = sunday_noon;
  plain.request.activity = "pw-bound";
  EXPECT_EQ(p->handle(plain).code(), Code::OUTSIDE_OFFICE_HOURS);
  const std::string text = m.serialize();
  EXPECT_EQ(testing::sample(text, "doelpoort_outside_office_time_total", {{"activity", "pw-bound"}}), 1);
  EXPECT_EQ(testing::sample(text, "doelpoort_break_glass_total", {{"activity", "pw-bound"}, {"decision", "permit"}}), 1);
  EXPECT_EQ(testing::sample(text, "doelpoort_inquiries_total", series("pw-bound", "BRP", "deny", "OUTSIDE_OFFICE_HOURS")), 1);
}

}  // namespace
}  // namespace doelpoort
