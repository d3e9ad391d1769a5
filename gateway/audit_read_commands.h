// The read-side `doelpoort audit` subcommands for people: `query` (a data subject's access answer), `report`
// (the privacy officer's usage report) and `export` (Logboek Dataverwerkingen). `add_audit_command`
// (cmd_audit.cpp) adds them to `doelpoort audit` beside verify and review.
#pragma once

#include <CLI/CLI.hpp>

namespace doelpoort {

/// Declares `query`, `report` and `export` on `audit` (the `doelpoort audit` subcommand); each sets
/// `exit_code` when it runs.
void add_audit_read_commands(CLI::App& audit, int& exit_code);

}  // namespace doelpoort
