#include "staff.h"

#include "yaml_reader.h"

namespace doelpoort {

std::shared_ptr<const Staff> load_staff(const std::string& path, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  auto y = YamlReader::open(path, diags);
  if (!y) return nullptr;
  const YAML::Node root = y->root();
  if (!y->check_map(root, "staff file", {"roles", "users"}, {})) return nullptr;

  auto staff = std::make_shared<Staff>();
  const YAML::Node roles = root["roles"];
  if (!roles.IsMap()) {
    y->error(roles, "roles must map each role to its description");
  } else {
    for (const auto& kv : roles) {
      if (!staff->roles.emplace(kv.first.Scalar(), kv.second.as<std::string>("")).second)
        y->error(kv.first, "role \"" + kv.first.Scalar() + "\" is defined twice");
    }
  }
  const YAML::Node users = root["users"];
  if (!users.IsMap()) {
    y->error(users, "users must map each user id to its name and roles");
  } else {
    for (const auto& kv : users) {
      const std::string id = kv.first.Scalar();
      if (!y->check_map(kv.second, "user \"" + id + "\"", {"name", "roles"}, {})) continue;
      StaffMember m{id, y->string(kv.second, "name"), {}};
      for (auto& role : y->strings(kv.second, "roles")) {
        if (!staff->roles.count(role))
          y->error(kv.second["roles"], "user \"" + id + "\": unknown role \"" + role + "\"");
        m.roles.insert(std::move(role));
      }
      if (!staff->members.emplace(id, std::move(m)).second)
        y->error(kv.first, "user \"" + id + "\" is defined twice");
    }
  }
  if (diags.error_count() != errors_before) return nullptr;
  return staff;
}

}  // namespace doelpoort
