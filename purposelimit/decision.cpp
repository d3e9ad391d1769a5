#include "decision.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "bsn.h"

namespace doelpoort {
namespace {

Decision deny(Code code, std::string message, const Activity* activity = nullptr) {
  return {Status(code, message), activity, SearchKey::Bsn};
}

bool all_of(const std::string& s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) { return pred(c) != 0; });
}

bool is_postcode(const std::string& p) {
  return p.size() == 6 && p[0] >= '1' && p[0] <= '9' && all_of(p.substr(0, 4), ::isdigit) &&
         std::isupper(static_cast<unsigned char>(p[4])) && std::isupper(static_cast<unsigned char>(p[5]));
}

Status check_complete(const InquiryRequest& r) {
  if (r.activity.empty()) return {Code::INVALID_REQUEST, "activity is empty"};
  if (r.user.empty()) return {Code::INVALID_REQUEST, "userId is empty"};
  if (r.source.empty()) return {Code::INVALID_REQUEST, "source is empty"};
  if (r.fields.empty()) return {Code::INVALID_REQUEST, "no field requested"};
  if (r.fields.size() > 256) return {Code::INVALID_REQUEST, "more than 256 fields requested"};
  if (std::find(r.fields.begin(), r.fields.end(), std::string()) != r.fields.end())
    return {Code::INVALID_REQUEST, "a field name is empty"};
  // Quadratic, but for the few fields of an inquiry cheaper than building a set on every decision.
  for (std::size_t i = 0; i < r.fields.size(); ++i)
    for (std::size_t j = i + 1; j < r.fields.size(); ++j)
      if (r.fields[i] == r.fields[j]) return {Code::INVALID_REQUEST, "field \"" + r.fields[i] + "\" requested twice"};
  return Status::ok();
}

bool any_role_allowed(const StaffMember& user, const std::set<std::string>& roles) {
  return std::any_of(user.roles.begin(), user.roles.end(), [&](const std::string& r) { return roles.count(r) > 0; });
}

}  // namespace

Status search_key_of(const InquiryRequest& r, SearchKey& key) {
  const SearchValues& s = r.search;
  if (!r.subject_bsn.empty()) {
    if (!s.empty()) return {Code::INVALID_REQUEST, "name the subject by subjectBsn or by a search, not both"};
    if (!is_valid_bsn(r.subject_bsn)) return {Code::INVALID_REQUEST, "subjectBsn is not a valid BSN (11-proef)"};
    key = SearchKey::Bsn;
    return Status::ok();
  }
  if (s.empty()) return {Code::INVALID_REQUEST, "no subject: give subjectBsn or a search"};
  if (!s.kenteken.empty()) {
    if (!s.geslachtsnaam.empty() || !s.postcode.empty() || !s.geboortedatum.empty() || !s.huisnummer.empty())
      return {Code::INVALID_REQUEST, "a search by kenteken takes nothing else"};
    if (s.kenteken.size() > 8 || !all_of(s.kenteken, ::isalnum)) return {Code::INVALID_REQUEST, "kenteken is malformed"};
    key = SearchKey::Kenteken;
    return Status::ok();
  }
  if (!s.postcode.empty() && !is_postcode(s.postcode)) return {Code::INVALID_REQUEST, "postcode must look like 1234AB"};
  if (!s.huisnummer.empty() && (s.huisnummer.size() > 5 || !all_of(s.huisnummer, ::isdigit)))
    return {Code::INVALID_REQUEST, "huisnummer must be 1 to 5 digits"};
  if (!s.geslachtsnaam.empty() || !s.geboortedatum.empty()) {
    if (s.geslachtsnaam.empty() || s.geslachtsnaam.size() > 200 || s.geboortedatum.size() != 8 ||
        !all_of(s.geboortedatum, ::isdigit))
      return {Code::INVALID_REQUEST, "a search by name needs geslachtsnaam and geboortedatum (yyyymmdd)"};
    key = SearchKey::NaamGeboortedatum;
    return Status::ok();
  }
  if (s.postcode.empty() || s.huisnummer.empty())
    return {Code::INVALID_REQUEST, "a search by address needs postcode and huisnummer"};
  key = SearchKey::PostcodeHuisnummer;
  return Status::ok();
}

Decision decide(const Policy& policy, const Application& app, const InquiryRequest& r, const DecisionTime& time) {
  if (Status s = check_complete(r); !s) return {s, nullptr, SearchKey::Bsn};
  SearchKey key = SearchKey::Bsn;
  if (Status s = search_key_of(r, key); !s) return {s, nullptr, key};

  const Activity* a = policy.reg->find(r.activity);
  if (a == nullptr) return deny(Code::ACTIVITY_UNKNOWN, "no activity \"" + r.activity + "\" in the register");
  if (!app.activities.count(a->id))
    return deny(Code::APPLICATION_NOT_AUTHORISED, "application \"" + app.id + "\" may not use activity \"" + a->id + "\"", a);

  const StaffMember* user = policy.staff->find(r.user);
  if (user == nullptr) return deny(Code::USER_UNKNOWN, "user \"" + r.user + "\" is not on the staff list", a);
  if (!any_role_allowed(*user, a->roles))
    return deny(Code::ROLE_NOT_AUTHORISED, "no role of user \"" + r.user + "\" is allowed for activity \"" + a->id + "\"", a);

  const Proportionality& p = a->proportionality;
  if (r.break_glass) {
    if (!p.break_glass) return deny(Code::BREAK_GLASS_NOT_PERMITTED, "activity \"" + a->id + "\" does not allow break-glass", a);
    if (r.reason.empty()) return deny(Code::REASON_REQUIRED, "break-glass requires a reason", a);
  }
  if (!r.break_glass && !p.office_hours.allows(time.weekday, time.minute_of_day))
    return deny(Code::OUTSIDE_OFFICE_HOURS, "activity \"" + a->id + "\" allows inquiries only during office hours", a);
  if (p.case_reference_required && r.case_reference.empty())
    return deny(Code::CASE_REQUIRED, "activity \"" + a->id + "\" requires a case reference", a);
  if (!p.search_keys.count(key))
    return deny(Code::SEARCH_KEY_NOT_PERMITTED,
                "activity \"" + a->id + "\" does not allow a search by " + std::string(name(key)), a);

  const std::set<std::string>* allowed = a->fields_of(r.source);
  if (allowed == nullptr)
    return deny(Code::SOURCE_NOT_PERMITTED, "activity \"" + a->id + "\" may not consult source \"" + r.source + "\"", a);
  const Mapping* mapping = policy.mapping_of(r.source);
  if (mapping == nullptr || mapping->request_for(key) == nullptr)
    return deny(Code::INVALID_REQUEST, "source \"" + r.source + "\" cannot be searched by " + std::string(name(key)), a);

  std::string refused;  // the names, for the message; counted too, since an empty name adds nothing to it
  std::size_t refusals = 0;
  for (const auto& f : r.fields)
    if (!allowed->count(f)) refused += (refusals++ == 0 ? "" : ", ") + f;
  if (refusals > 0)
    return deny(Code::FIELD_NOT_PERMITTED, "not allowed for activity \"" + a->id + "\" from \"" + r.source + "\": " + refused, a);

  for (const auto& f : r.fields) {
    auto mapped = mapping->fields.find(f);  // present for every allowed field: cross-checked at load
    if (mapped == mapping->fields.end()) return deny(Code::INTERNAL_ERROR, "field \"" + f + "\" is not mapped", a);
    const std::string& category = mapped->second.category;
    const SpecialCategoryGrant* grant = a->grant_for(category);
    if (grant != nullptr && !any_role_allowed(*user, grant->roles))
      return deny(Code::SPECIAL_CATEGORY_NOT_PERMITTED,
                  "field \"" + f + "\" is special category \"" + category + "\", which user \"" + r.user +
                      "\"'s roles may not receive",
                  a);
  }
  return {Status::ok(), a, key};
}

}  // namespace doelpoort
