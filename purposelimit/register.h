// The register of processing activities (AVG art. 30): what the public reads and what decides every inquiry.
//
// Loaded once from YAML into immutable structs; a changed register is a new Register, never an edit.
// Domain words only: activity, purpose, legal basis, category, source, field, role, proportionality.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "diagnostics.h"
#include "search_key.h"

namespace doelpoort {

struct LegalBasis {
  std::string ground;  ///< AVG art. 6 ground, e.g. "AVG art. 6 lid 1 sub c (wettelijke verplichting)"
  std::string law;     ///< the law and article, e.g. "Participatiewet art. 64"
  std::string to_string() const { return ground + "; " + law; }
};

/// A category of personal data, as the privacy statement lists them. Special categories (AVG art. 9:
/// health; art. 10: criminal convictions) may only be processed under a basis of their own.
struct Category {
  std::string id;
  std::string name;
  std::string description;
  std::string special;  ///< "", "art. 9" or "art. 10"
};

/// An organisation the Werkplein receives data from, and the services of it doelpoort can ask.
struct Organisation {
  std::string id;
  std::string name;
  std::string country;              ///< ISO 3166-1 alpha-2; outside the EEA is refused at load
  std::set<std::string> services;   ///< source services (mappings/) run by this organisation
};

/// Permission to process one special category within an activity: its own legal basis, and the roles
/// that may receive it (e.g. only the medical adviser sees health data).
struct SpecialCategoryGrant {
  std::string category;
  std::string basis;
  std::set<std::string> roles;
};

/// Weekly hours during which inquiries are allowed (local time of the gateway's configured time zone).
struct OfficeHours {
  std::uint8_t days = 0;  ///< bit 0 = Monday … bit 6 = Sunday; 0 = no restriction
  int from_minute = 0;    ///< minutes after midnight, inclusive
  int to_minute = 24 * 60;  ///< exclusive
  bool restricts() const { return days != 0; }
  bool allows(int weekday_monday0, int minute_of_day) const {
    return !restricts() || ((days >> weekday_monday0) & 1U && minute_of_day >= from_minute && minute_of_day < to_minute);
  }
};

/// The proportionality rules of an activity (data minimisation in time, scope and volume).
struct Proportionality {
  bool case_reference_required = true;
  bool caseload_binding = false;        ///< the subject must be in the case's caseload (Suwinet's whitelist)
  std::set<SearchKey> search_keys{SearchKey::Bsn};
  std::uint32_t max_subjects_per_user_per_day = 0;   ///< 0 = no limit
  std::uint32_t max_inquiries_per_user_per_hour = 0; ///< 0 = no limit
  OfficeHours office_hours;
  bool break_glass = false;  ///< emergency access (with a mandatory reason) lifts caseload and office hours
};

/// Inquiries of a confidential activity (e.g. a running fraud investigation) are left out of a data
/// subject's access answer until `period_days` after the inquiry.
struct Confidentiality {
  std::string reason;
  int period_days = 0;
};

struct Activity {
  std::string id;       ///< stable identifier, e.g. "pw-recht-op-uitkering"
  std::string version;  ///< changes whenever the activity changes; audit records name it
  std::string name;
  std::string purpose;
  LegalBasis legal_basis;
  std::string controller;  ///< verwerkingsverantwoordelijke; the register's when not given
  std::vector<std::string> data_subjects;
  std::set<std::string> categories;  ///< categories of personal data processed (published)
  std::vector<SpecialCategoryGrant> special_categories;
  std::set<std::string> received_from;  ///< organisations data is received from (published)
  std::vector<std::string> recipients;  ///< with whom the data is shared
  std::string retention;
  std::optional<Confidentiality> confidentiality;
  std::set<std::string> roles;  ///< staff roles allowed to inquire for this activity
  Proportionality proportionality;
  /// source service -> the fields of that source the activity may receive
  std::map<std::string, std::set<std::string>> sources;
  std::string where;                                ///< file:line:col of the activity, for messages
  std::map<std::string, std::string> source_where;  ///< source -> file:line:col of its entry

  bool allows_role(const std::string& role) const { return roles.count(role) > 0; }
  const std::set<std::string>* fields_of(const std::string& source) const;
  const SpecialCategoryGrant* grant_for(const std::string& category) const;
};

struct Register {
  std::string version;       ///< version of the register as a whole
  std::string organisation;  ///< who keeps it
  std::string controller;    ///< verwerkingsverantwoordelijke
  std::string contact;       ///< privacy contact (FG / privacy officer)
  std::map<std::string, Category> categories;
  std::map<std::string, Organisation> organisations;
  std::vector<Activity> activities;

  const Activity* find(const std::string& id) const;
  const Category* category(const std::string& id) const;
  /// The organisation that runs source service `service`, or null.
  const Organisation* organisation_of(const std::string& service) const;

  /// Builds the lookup index; call once after filling `activities`.
  void index();

 private:
  std::unordered_map<std::string, std::size_t> by_id_;  // id -> index in activities
};

/// The EEA member states (ISO 3166-1 alpha-2): personal data is received from these only.
bool is_eea_country(const std::string& iso2);

/// Loads `path`; reports every problem in `diags` and returns null when there was any error.
std::shared_ptr<const Register> load_register(const std::string& path, Diagnostics& diags);
/// The same for `text`, reported as if it were file `name` (tests, the fuzz target).
std::shared_ptr<const Register> parse_register(const std::string& name, const std::string& text, Diagnostics& diags);

}  // namespace doelpoort
