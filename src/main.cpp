#include "llmbench/cli/cli.hpp"

int main(int argc, char** argv) { return llmbench::cli::main(argc, argv); }
