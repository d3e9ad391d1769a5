// Every outcome code an inquiry can end with: the one table (add a code here, in one line).
//
// A code is stable: applications match on it (it is the `code` of the SOAP Fault detail), the audit log
// records it, and the privacy officer's reports count it. `side` says who must act: the caller (Client
// faults: the inquiry is not permitted or malformed) or the gateway's operators (Server faults).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace doelpoort {

// X(name, side, description)
#define DOELPOORT_CODES(X)                                                                          \
  X(OK, Ok, "permitted and answered")                                                              \
  X(INVALID_REQUEST, Client, "the request is malformed or incomplete")                             \
  X(APPLICATION_UNKNOWN, Client, "the client certificate belongs to no registered application")    \
  X(APPLICATION_NOT_AUTHORISED, Client, "the application may not use this processing activity")    \
  X(ACTIVITY_UNKNOWN, Client, "no such processing activity in the register")                       \
  X(USER_UNKNOWN, Client, "the user is not on the staff list")                                     \
  X(ROLE_NOT_AUTHORISED, Client, "none of the user's roles is allowed for this activity")          \
  X(SOURCE_NOT_PERMITTED, Client, "the activity may not consult this source")                      \
  X(FIELD_NOT_PERMITTED, Client, "a requested field is not allowed for this activity and source")  \
  X(CASE_REQUIRED, Client, "the activity requires a case reference")                               \
  X(REASON_REQUIRED, Client, "break-glass requires a reason")                                      \
  X(BREAK_GLASS_NOT_PERMITTED, Client, "the activity does not allow break-glass")                  \
  X(OUTSIDE_OFFICE_HOURS, Client, "the activity allows inquiries only during its office hours")     \
  X(SEARCH_KEY_NOT_PERMITTED, Client, "the activity does not allow this way of naming the subject") \
  X(SPECIAL_CATEGORY_NOT_PERMITTED, Client, "a special category of data the user's role may not receive") \
  X(SUBJECT_NOT_IN_CASELOAD, Client, "the subject does not belong to the case's caseload")         \
  X(VOLUME_LIMIT_EXCEEDED, Client, "the user reached the activity's volume limit")                 \
  X(REPLAY_DETECTED, Client, "this wsa:MessageID was already used")                               \
  X(STATE_UNAVAILABLE, Server, "the proportionality state store cannot be reached; the inquiry was denied") \
  X(UPSTREAM_UNAVAILABLE, Server, "the registry could not be reached or did not answer in time")   \
  X(UPSTREAM_ERROR, Server, "the registry answered with an error")                                 \
  X(UPSTREAM_OVERLOADED, Server, "too many inquiries to this registry are under way; try again shortly") \
  X(UPSTREAM_CIRCUIT_OPEN, Server, "the registry failed repeatedly and is not called for a while")  \
  X(AUDIT_UNAVAILABLE, Server, "the audit record could not be made durable; nothing was answered") \
  X(INTERNAL_ERROR, Server, "the gateway failed; the inquiry was not answered")

enum class Code : std::uint8_t {
#define DOELPOORT_CODE_ENUM(name, side, text) name,
  DOELPOORT_CODES(DOELPOORT_CODE_ENUM)
#undef DOELPOORT_CODE_ENUM
};

enum class Side : std::uint8_t { Ok, Client, Server };

struct CodeInfo {
  std::string_view name;
  Side side;
  std::string_view description;
};

inline constexpr CodeInfo kCodes[] = {
#define DOELPOORT_CODE_INFO(name, side, text) {#name, Side::side, text},
    DOELPOORT_CODES(DOELPOORT_CODE_INFO)
#undef DOELPOORT_CODE_INFO
};

constexpr const CodeInfo& info(Code code) { return kCodes[static_cast<std::size_t>(code)]; }
constexpr std::string_view name(Code code) { return info(code).name; }
std::optional<Code> code_from_name(std::string_view name);

/// The result of a stage on the request path: a code and, when not OK, a one-line reason.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string_view message) : code_(code), message_(message) {}
  static Status ok() { return {}; }
  bool is_ok() const { return code_ == Code::OK; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::OK;
  std::string message_;
};

}  // namespace doelpoort
