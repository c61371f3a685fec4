#pragma once
namespace llmbench::cli {
// The whole command line: parses, dispatches to a subcommand, returns the exit code.
int main(int argc, char** argv);
}  // namespace llmbench::cli
