// The citizen-facing "Register van verwerkingen", rendered from the same register that decides inquiries:
// per activity, which personal data (categories, special categories with their basis), the purpose, the
// legal basis, from whom it is received, with whom it is shared and the retention period.
//
// One model, several formats: `published_register` turns the register (and the mappings, for the
// categories of the fields an activity can actually receive) into a `PublishedRegister`; each format
// renders only that, so markdown and HTML cannot say different things.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mapping.h"
#include "register.h"

namespace doelpoort {

/// A category of personal data as one activity processes it.
struct PublishedCategory {
  std::string id;
  std::string name;
  std::string description;
  std::string special;             ///< "", "art. 9" or "art. 10"
  std::string basis;               ///< this activity's own basis for a special category
  std::vector<std::string> roles;  ///< the only roles that receive a special category here
};

/// An organisation an activity receives personal data from, and the source services of it that the
/// activity consults through doelpoort (empty: received otherwise, e.g. from the person themself).
struct PublishedOrigin {
  std::string organisation_id;
  std::string organisation;  ///< its name
  std::vector<std::string> services;
};

struct PublishedActivity {
  std::string id;
  std::string version;
  std::string name;
  std::string purpose;
  LegalBasis legal_basis;
  std::string controller;
  std::vector<std::string> data_subjects;
  std::vector<PublishedCategory> categories;  ///< ordinary categories by name, then special ones
  std::vector<PublishedOrigin> received_from;  ///< consulted registries first (by service), then by name
  std::vector<std::string> recipients;
  std::string retention;
  std::optional<Confidentiality> confidentiality;
};

/// An activity named from elsewhere in the register (its id, for links, and its name).
struct ActivityRef {
  std::string id;
  std::string name;
  bool operator==(const ActivityRef&) const = default;
};

/// An organisation of the register with the activities that receive data from it.
struct PublishedOrganisation {
  std::string id;
  std::string name;
  std::vector<ActivityRef> activities;
};

/// A category of the register with the activities that process it.
struct PublishedCategoryUse {
  PublishedCategory category;  ///< basis and roles empty: they differ per activity
  std::vector<ActivityRef> activities;
};

struct PublishedRegister {
  std::string organisation;
  std::string controller;
  std::string contact;
  std::string version;
  std::vector<PublishedActivity> activities;  ///< in register order
  std::vector<PublishedCategoryUse> categories;
  std::vector<PublishedOrganisation> organisations;
};

/// The public model of `reg`. An activity's categories are those it declares plus those of every field it
/// may receive (the policy cross-check makes these equal; publishing never hides one).
PublishedRegister published_register(const Register& reg, const MappingSet& mappings);

/// `text` with & < > " ' replaced by character references: safe in HTML text and quoted attribute values.
std::string escape_html(std::string_view text);

std::string render_markdown(const PublishedRegister& reg);
/// One self-contained HTML5 page (lang="nl", inline CSS, no scripts, no external resources).
std::string render_html(const PublishedRegister& reg);

/// The formats of `doelpoort register publish`, in one table.
struct PublishFormat {
  const char* name;
  std::string (*render)(const PublishedRegister&);
};
std::span<const PublishFormat> publish_formats();
/// The format called `name`, or null.
const PublishFormat* find_publish_format(std::string_view name);

/// Shorthand: `published_register` rendered as markdown.
std::string publish_markdown(const Register& reg, const MappingSet& mappings);

}  // namespace doelpoort
