// The `doelpoort` subcommands. Each add_* function declares one subcommand (its options and --help) on
// `app` and sets `exit_code` when it runs. The table of them is in main.cpp.
#pragma once

#include <CLI/CLI.hpp>

namespace doelpoort {

inline constexpr const char* kDefaultConfig = "config/doelpoort.yaml";

void add_serve_command(CLI::App& app, int& exit_code);
void add_check_command(CLI::App& app, int& exit_code);
void add_inquire_command(CLI::App& app, int& exit_code);
void add_audit_command(CLI::App& app, int& exit_code);
void add_register_command(CLI::App& app, int& exit_code);
void add_caseload_command(CLI::App& app, int& exit_code);

/// Prints every diagnostic (one per line) to stderr.
void print_diagnostics(const class Diagnostics& diags);

}  // namespace doelpoort
