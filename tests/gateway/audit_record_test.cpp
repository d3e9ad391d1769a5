// Audit records are valid JSON whatever goes into them.
#include "audit_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace doelpoort {
namespace {

nlohmann::json parse(const AuditRecord& r) { return nlohmann::json::parse(r.open_body() + "}"); }

TEST(AuditRecord, WritesEveryKindOfValue) {
  AuditRecord r;
  r.add("s", "tekst").add("n", std::int64_t{-42}).add("b", true).add("v", std::vector<std::string>{"a", "b"}).add_json("o", R"({"x":1})");
  auto j = parse(r);
  EXPECT_EQ(j["s"], "tekst");
  EXPECT_EQ(j["n"], -42);
  EXPECT_EQ(j["b"], true);
  EXPECT_EQ(j["v"], (nlohmann::json{"a", "b"}));
  EXPECT_EQ(j["o"]["x"], 1);
}

TEST(AuditRecord, EscapesQuotesBackslashesAndControlCharacters) {
  AuditRecord r;
  const std::string hostile = "\"},\"decision\":\"permit\\\n\t\x01\x7f";
  r.add("reason", hostile);
  EXPECT_EQ(parse(r)["reason"], hostile);
}

TEST(AuditRecord, ReplacesInvalidUtf8ButKeepsValidUtf8) {
  AuditRecord r;
  r.add("ok", "Gültig ✓ 𝄞").add("bad", std::string("a\xff" "b\xc3" "c\xed\xa0\x80" "d"));
  auto j = parse(r);
  EXPECT_EQ(j["ok"], "Gültig ✓ 𝄞");
  EXPECT_EQ(j["bad"], "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "d");
}

}  // namespace
}  // namespace doelpoort
