// Who may inquire: staff members (user ids) and their roles, from config/staff.yaml.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "diagnostics.h"

namespace doelpoort {

struct StaffMember {
  std::string id;
  std::string name;
  std::set<std::string> roles;
};

struct Staff {
  std::map<std::string, std::string> roles;  ///< known role -> description
  std::map<std::string, StaffMember> members;

  const StaffMember* find(const std::string& user) const {
    auto it = members.find(user);
    return it == members.end() ? nullptr : &it->second;
  }
};

std::shared_ptr<const Staff> load_staff(const std::string& path, Diagnostics& diags);

}  // namespace doelpoort
