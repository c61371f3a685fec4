#pragma once

namespace llmbench::cli {

// Documented in the README; scripts rely on them.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,        // could not write results, internal error
  kExitUsage = 2,          // bad flag, config file, dataset or prompt key; nothing was sent
  kExitUnreachable = 3,    // the server did not answer (or never became ready)
  kExitNoSuccess = 4,      // the run finished but no request succeeded (results still written)
  kExitSlower = 5,         // compare --fail-if-slower: the new run is slower by more than PCT %
  kExitClientLimited = 6,  // --strict: the client itself was the bottleneck in some stage (results written)
  kExitErrorRate = 7,      // a stage stopped: more than --max-error-rate of its requests failed (results written)
  kExitSigint = 130,       // interrupted by SIGINT (results so far written)
  kExitSigterm = 143,      // interrupted by SIGTERM (results so far written)
};

}  // namespace llmbench::cli
