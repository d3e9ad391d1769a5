// The register of processing activities (AVG art. 30): what the public reads and what decides every inquiry.
//
// Loaded once from YAML into immutable structs; a changed register is a new Register, never an edit.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "diagnostics.h"

namespace doelpoort {

struct LegalBasis {
  std::string ground;  ///< AVG art. 6 ground, e.g. "AVG art. 6 lid 1 sub c (wettelijke verplichting)"
  std::string law;     ///< the law and article, e.g. "Participatiewet art. 64"
  std::string to_string() const { return ground + "; " + law; }
};

struct Activity {
  std::string id;       ///< stable identifier, e.g. "pw-recht-op-uitkering"
  std::string version;  ///< changes whenever the activity changes; audit records name it
  std::string name;
  std::string purpose;
  LegalBasis legal_basis;
  std::vector<std::string> data_subjects;
  std::vector<std::string> recipients;  ///< with whom the data is shared
  std::string retention;
  std::set<std::string> roles;  ///< staff roles allowed to inquire for this activity
  bool case_reference_required = true;
  bool break_glass_allowed = false;
  /// source name -> the fields of that source the activity may receive
  std::map<std::string, std::set<std::string>> sources;
  std::string where;                                  ///< file:line:col of the activity, for messages
  std::map<std::string, std::string> source_where;    ///< source -> file:line:col of its entry

  bool allows_role(const std::string& role) const { return roles.count(role) > 0; }
  const std::set<std::string>* fields_of(const std::string& source) const;
};

struct Register {
  std::string version;       ///< version of the register as a whole
  std::string organisation;  ///< who keeps it
  std::string controller;    ///< verwerkingsverantwoordelijke
  std::string contact;       ///< privacy contact (FG / privacy officer)
  std::vector<Activity> activities;

  const Activity* find(const std::string& id) const;

  /// Builds the lookup index; call once after filling `activities`.
  void index();

 private:
  std::unordered_map<std::string, std::size_t> by_id_;  // id -> index in activities
};

/// Loads `path`; reports every problem in `diags` and returns null when there was any error.
std::shared_ptr<const Register> load_register(const std::string& path, Diagnostics& diags);

}  // namespace doelpoort
